// Runs a Circuit (circuit.hpp) on the state-vector engine (issue 5): the
// exact final state, or shots with Qiskit-style counts over the classical
// registers.
//
// Shots: without noise, when every measurement is terminal (no reset, no
// if(), nothing after a measure on its qubit), the circuit runs once and the
// final state is sampled; otherwise each shot is re-simulated, measurements
// collapse the state (measurement.hpp), and the unitary prefix before the
// first measurement/reset/if() is computed once and copied. With a noise
// preset every shot is a quantum trajectory: after each gate, the preset's
// gate-error channel (qubit_preset.hpp, arity 1 or 2; gates on more qubits use
// the 2-qubit channel) on each qubit the gate touched, and readout error on
// every measured bit. Random draws come from Philox keyed by (seed,
// kQasmShotStream) with counter shot·2^32 + draw, so the counts depend on the
// seed only, never on the thread count.
#pragma once
#include "core/philox.hpp"
#include "models/quantum/circuit.hpp"
#include "models/quantum/qubit_preset.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace moesim::quantum {

inline constexpr std::uint64_t kQasmShotStream = moesim::streams::kUser + 540;    // trajectories
inline constexpr std::uint64_t kQasmSampleStream = moesim::streams::kUser + 541;  // final-state sampling

enum class Precision { Double, Float };

struct RunOptions {
  Precision precision = Precision::Double;
  bool fuse = true;                     // gate fusion (fusion.hpp); never with noise
  std::uint64_t seed = 1;
  const QubitPreset* noise = nullptr;   // gate and readout errors (shots only)
};

struct BasisAmplitude {
  std::uint64_t index = 0;  // bit q = qubit q
  double re = 0, im = 0;
  double probability() const { return re * re + im * im; }
};

// Why the circuit cannot run without shots ("" if it can): mid-circuit
// measurement, reset or if().
std::string exact_run_blocker(const Circuit& c);

// The final state of the circuit with terminal measurements dropped. Lists
// every basis state (index order) when `max_listed` ≥ 2^n, else the
// `max_listed` most probable (ties: lower index first), sorted by index.
// UsageError when exact_run_blocker(c) is not empty or noise is set.
std::vector<BasisAmplitude> run_exact(const Circuit& c, const RunOptions& options, std::size_t max_listed);

// Counts of the classical-register values over `shots` shots, keyed as
// Qiskit's counts: one bitstring per creg, last-declared creg first,
// separated by spaces, bit 0 of each register rightmost.
std::map<std::string, std::uint64_t> run_shots(const Circuit& c, std::uint64_t shots, const RunOptions& options);

// `n` characters, qubit (or bit) 0 rightmost.
std::string bitstring(std::uint64_t index, unsigned n);
// The counts key of a classical-bit assignment (bit b = clbits[b]).
std::string counts_key(const Circuit& c, const std::vector<std::uint8_t>& clbits);

}  // namespace moesim::quantum
