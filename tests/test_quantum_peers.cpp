// Peer check of the state-vector engine (issue 5): runs
// tools/compare_quantum.py --quick (QFT, GHZ and depth-20 random circuits on 4
// and 8 qubits, plus every qelib1 gate, through `moesim qasm --amplitudes`,
// Qiskit Aer and qsim) and requires every state fidelity >= 1 - 1e-10.
// Skips when python3, qiskit_aer or qsimcirq is missing.
#include "peer_tools.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sstream>
#include <string>

using moesim::testing::capture;
using moesim::testing::python_has_modules;
using moesim::testing::tools_dir;

TEST_CASE("moesim's state vectors match Qiskit Aer and qsim to fidelity 1 - 1e-10", "[quantum][peer]") {
  if (!python_has_modules({"qiskit", "qiskit_aer"}))
    SKIP("python3 with qiskit and qiskit_aer is not available (pip install qiskit-aer)");
  if (!python_has_modules({"cirq", "qsimcirq"})) SKIP("python3 with qsimcirq is not available (pip install qsimcirq)");
  int status = 0;
  const std::string cmd = "python3 " + tools_dir() + "/compare_quantum.py --quick --moesim " +
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
