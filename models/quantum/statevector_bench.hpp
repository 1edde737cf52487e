// `moesim bench statevector` (DESIGN.md §3): time of a dense single-qubit
// gate on one large register, averaged over all targets, as nanoseconds per
// gate and as a fraction of the memory bandwidth of an in-place x = a·x + b
// sweep over a buffer of the state's size, measured in the same run with the
// same threads. One line per qubit count.
#pragma once
#include "bench/bench_report.hpp"
#include "core/registry.hpp"

#include <string>

namespace moesim {

namespace quantum {
struct StatevectorBenchResult {
  unsigned qubits = 0;
  std::string precision;      // "float" or "double"
  double seconds_per_gate = 0;
  double bandwidth_bytes_s = 0;  // of the a·x + b sweep
  double bandwidth_fraction = 0;
};
// Runs the measurement for one register size; `min_seconds` bounds the time
// spent on each of the two measurements (at least one sweep over all targets).
StatevectorBenchResult bench_statevector(unsigned qubits, bool double_precision, double min_seconds = 1.0);
}  // namespace quantum

// Registers the `statevector` benchmark (options: qubits, precision).
void register_quantum_benchmarks(Registry& registry);

}  // namespace moesim
