// Peer check of the state-vector engine (issue 5): runs
// tools/compare_quantum.py --quick (QFT, GHZ and depth-20 random circuits on 4
// and 8 qubits, plus every qelib1 gate, through `moesim qasm --amplitudes`,
// Qiskit Aer and qsim) and requires every state fidelity >= 1 - 1e-10.
// Skips when python3, qiskit_aer or qsimcirq is missing.
#include <catch2/catch_test_macros.hpp>

#include <cstdio>
#include <sstream>
#include <string>

namespace {

std::string capture(const std::string& cmd, int& status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    status = -1;
    return out;
  }
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  status = pclose(p);
  return out;
}

}  // namespace

TEST_CASE("moesim's state vectors match Qiskit Aer and qsim to fidelity 1 - 1e-10", "[quantum][peer]") {
  int status = 0;
  capture("python3 -c 'import qiskit, qiskit_aer' >/dev/null 2>&1", status);
  if (status != 0) SKIP("python3 with qiskit and qiskit_aer is not available (pip install qiskit-aer)");
  capture("python3 -c 'import cirq, qsimcirq' >/dev/null 2>&1", status);
  if (status != 0) SKIP("python3 with qsimcirq is not available (pip install qsimcirq)");
  std::string root = MOESIM_TEST_DATA;
  root = root.substr(0, root.rfind("/tests/data"));
  const std::string cmd = "python3 " + root + "/tools/compare_quantum.py --quick --moesim " +
                          std::string(MOESIM_BINARY) + " 2>&1";
  const std::string out = capture(cmd, status);
  INFO(out);
  REQUIRE(status == 0);
  // result <circuit> <qubits> <peer> fidelity <f> infidelity <1-f> ok|FAIL
  int aer = 0, qsim = 0;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string tag, circuit, qubits, peer, key, verdict, key2, inf;
    double f = 0;
    if (!(l >> tag >> circuit >> qubits >> peer >> key >> f >> key2 >> inf >> verdict) || tag != "result") continue;
    INFO(line);
    CHECK(f >= 1 - 1e-10);
    CHECK(verdict == "ok");
    aer += peer == "aer";
    qsim += peer == "qsim";
  }
  // zoo, zoo_cirq, and qft/ghz/random at 4 and 8 qubits; qsim skips the zoo
  // with relative-phase Toffolis (no cirq gate).
  CHECK(aer == 8);
  CHECK(qsim == 7);
}
