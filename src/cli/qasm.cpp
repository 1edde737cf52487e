// `moesim qasm FILE [--shots N] [--noise PRESET] [--seed N] [--threads N]
// [--precision double|float] [--amplitudes]`: runs an OpenQASM 2.0 circuit on
// the state-vector engine and prints, per DESIGN.md §3, `<bitstring>
// <probability>` lines (no --shots) or `<counts key> <count>` lines (--shots).
// Parsing and execution live in models/quantum/{qasm_reader,circuit_runner}.
#include "cli/commands.hpp"

#include "core/error.hpp"
#include "core/kokkos_runtime.hpp"
#include "models/quantum/circuit_runner.hpp"
#include "models/quantum/qasm_reader.hpp"
#include "models/quantum/qubit_preset.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

namespace moesim::cli {

namespace {

constexpr unsigned kListAllUpTo = 20;   // qubits; above, only the most probable states
constexpr std::size_t kMostProbable = 64;
constexpr double kSmallestPrinted = 1e-14;

std::string format_g(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

}  // namespace

int qasm_command(const Invocation& inv) {
  po::options_description options("options", 100, 40);
  options.add_options()
      ("help,h", "this help, e.g. moesim qasm --help")
      ("file", po::value<std::vector<std::string>>()->value_name("FILE"), "the OpenQASM 2.0 file (positional)")
      ("shots", po::value<long long>()->value_name("N"),
       "sample N shots and print counts over the classical registers, e.g. --shots 1024")
      ("noise", po::value<std::string>()->value_name("PRESET"),
       "qubit preset (devices/presets/qubit_<PRESET>.ini or a path): gate-error channels after every gate "
       "and readout error at measurement, one trajectory per shot; needs --shots, e.g. --noise ibm_sherbrooke")
      ("seed", po::value<std::uint64_t>()->default_value(1), "random seed of shots and noise, e.g. --seed 7")
      ("precision", po::value<std::string>()->default_value("double"),
       "amplitude type: double or float, e.g. --precision float")
      ("amplitudes", "print `<bitstring> <re> <im>` for every basis state instead of probabilities "
                     "(for >20 qubits the 64 most probable), e.g. --amplitudes")
      ("no-fusion", "apply the gates one by one (no gate fusion), e.g. --no-fusion");
  add_threads_option(options);
  const auto vm = parse_options(inv, options, "file");
  if (vm.count("help")) {
    print_help(std::cout,
               {"moesim qasm FILE [--shots N] [--noise PRESET] [--seed N] [--threads N] [--precision double|float]",
                "Runs an OpenQASM 2.0 circuit (qelib1.inc as extended by Qiskit, user gates, pi\n"
                "expressions) on the state-vector engine. Without --shots it prints `<bitstring>\n"
                "<probability>` for every basis state of the final state with probability >= 1e-14,\n"
                "sorted by bitstring (more than 20 qubits: the 64 most probable); the bitstring runs\n"
                "over all qubits of all qregs, qubit 0 of the first qreg rightmost (Qiskit's order);\n"
                "final measurements are ignored. Mid-circuit measurement, reset and if() need --shots.\n"
                "With --shots N it prints `<key> <count>` per observed value of the classical\n"
                "registers, keyed as Qiskit's counts (one bitstring per creg, last-declared first,\n"
                "separated by spaces). A file that cannot be read or parsed exits with 3 and\n"
                "FILE:LINE:COL in the message.",
                {"moesim qasm bell.qasm", "moesim qasm ghz.qasm --shots 1000 --seed 3",
                 "moesim qasm circuit.qasm --shots 1000 --noise ibm_sherbrooke",
                 "moesim qasm qft.qasm --amplitudes --precision double"}},
               options);
    return 0;
  }
  if (!vm.count("file"))
    throw UsageError("qasm: a QASM file is required, e.g. moesim qasm bell.qasm (see `moesim qasm --help`)");
  const auto& files = vm["file"].as<std::vector<std::string>>();
  if (files.size() != 1)
    throw UsageError("qasm: exactly one QASM file is accepted, got " + std::to_string(files.size()) + " ('" +
                     files[1] + "' is extra)");
  quantum::RunOptions run;
  run.seed = vm["seed"].as<std::uint64_t>();
  run.fuse = !vm.count("no-fusion");
  const std::string precision = vm["precision"].as<std::string>();
  if (precision == "double")
    run.precision = quantum::Precision::Double;
  else if (precision == "float")
    run.precision = quantum::Precision::Float;
  else
    throw UsageError("qasm: --precision '" + precision + "' (accepted: double, float)");
  std::optional<long long> shots;
  if (vm.count("shots")) {
    shots = vm["shots"].as<long long>();
    if (*shots < 1)
      throw UsageError("qasm: --shots " + std::to_string(*shots) + " is out of range (accepted: an integer >= 1)");
  }
  const bool amplitudes = vm.count("amplitudes") > 0;
  if (amplitudes && shots) throw UsageError("qasm: --amplitudes and --shots exclude each other");
  std::optional<quantum::QubitPreset> preset;
  if (vm.count("noise")) {
    if (!shots) throw UsageError("qasm: --noise needs --shots (noise is simulated as one trajectory per shot)");
    preset = quantum::load_qubit_preset(vm["noise"].as<std::string>());
    run.noise = &*preset;
  }
  // Parse (and check that an exact run is possible) before Kokkos starts.
  const quantum::Circuit circuit = quantum::read_qasm_file(files[0]);
  if (!shots) {
    const std::string why = quantum::exact_run_blocker(circuit);
    if (!why.empty())
      throw UsageError("qasm: " + files[0] + " needs --shots: " + why +
                       " (without --shots moesim prints exact final-state probabilities, which exist only "
                       "when every measurement is at the end)");
  }

  // A state that cannot fit in memory is a usage problem, found before any work.
  const double state_bytes = std::ldexp(run.precision == quantum::Precision::Double ? 16.0 : 8.0,
                                        static_cast<int>(circuit.num_qubits));
  const double memory_bytes = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
  if (circuit.num_qubits > 48 || (memory_bytes > 0 && state_bytes > memory_bytes))
    throw UsageError("qasm: " + files[0] + " has " + std::to_string(circuit.num_qubits) +
                     " qubits: the state needs " + format_g(state_bytes / (1 << 30), 4) +
                     " GiB, more than this machine's " + format_g(memory_bytes / (1 << 30), 4) +
                     " GiB (try --precision float)");

  KokkosOptions kokkos;
  kokkos.num_threads = threads_option(vm);
  kokkos.passthrough = inv.kokkos;
  KokkosRuntime runtime(kokkos);
  if (shots) {
    for (const auto& [key, count] : quantum::run_shots(circuit, static_cast<std::uint64_t>(*shots), run))
      std::cout << key << ' ' << count << '\n';
    return 0;
  }
  const unsigned n = circuit.num_qubits;
  const std::size_t listed = n <= kListAllUpTo ? (std::size_t{1} << n) : kMostProbable;
  const auto states = quantum::run_exact(circuit, run, listed);
  std::string out;
  for (const auto& s : states) {
    if (amplitudes) {
      out += quantum::bitstring(s.index, n) + ' ' + format_g(s.re, 17) + ' ' + format_g(s.im, 17) + '\n';
    } else {
      const double p = s.probability();
      if (p < kSmallestPrinted) continue;
      out += quantum::bitstring(s.index, n) + ' ' + format_g(p, 15) + '\n';
    }
  }
  std::cout << out;
  return 0;
}

}  // namespace moesim::cli
