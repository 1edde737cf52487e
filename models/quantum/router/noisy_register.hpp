// Noisy simulation of the router's small registers: the exact density matrix
// of each token's register (2^n × 2^n, n ≤ kMaxNoisyQubits), one register per
// parallel iteration, in double. After every gate its error channel acts on
// the qubits it touched (Kraus operators); in every variational layer each
// qubit decays for the time it spends idle (the layer duration minus its own
// gates); at the end a classical readout confusion matrix per qubit turns
// state probabilities into measured-outcome probabilities. The channels come
// from a qubit preset (noise_from_preset.hpp). Being an exact ρ, this needs
// no trajectory sampling: the probabilities are smooth in every angle, so the
// parameter-shift rule is exact under noise too (channels do not depend on
// the angles).
#pragma once
#include "models/quantum/gates.hpp"
#include "models/quantum/router/circuit_layout.hpp"

#include <string>
#include <vector>

namespace moesim::quantum {

inline constexpr unsigned kMaxNoisyQubits = 6;

struct RegisterNoise {
  std::string preset;             // name, for the trace
  std::vector<Gate1> after_1q;    // Kraus ops on the qubit after each 1-qubit gate (empty: none)
  std::vector<Gate1> after_2q;    // Kraus ops on each of the two qubits after a CZ
  std::vector<Gate1> idle_encoding;  // Kraus ops on every qubit after the encoding layer (T1/T2 decay)
  std::vector<Gate1> idle_layer;     // Kraus ops on every qubit after each variational layer
  double readout_p01 = 0.0;       // P(read 1 | state 0)
  double readout_p10 = 0.0;       // P(read 0 | state 1)
};

class NoisyRegisterModel {
 public:
  NoisyRegisterModel(RegisterNoise noise, unsigned qubits);
  const RegisterNoise& noise() const { return noise_; }

  // Measured-outcome probabilities [R * 2^n] of R registers, angle table
  // [R * layout.slots()], measured after layer m; fidelity[r] (if given) =
  // ⟨ψ_r|ρ_r|ψ_r⟩ with ψ_r the noiseless state (before readout error).
  std::vector<double> probabilities(const CircuitLayout& layout, int m, const std::vector<double>& angles,
                                    std::size_t registers, std::vector<double>* fidelity) const;

 private:
  RegisterNoise noise_;
  unsigned qubits_;
};

// ρ of one register through the program (for tests): row-major dim × dim.
std::vector<cplx> run_density_matrix(const CircuitLayout& layout, int m, const double* angles,
                                     const RegisterNoise& noise);

}  // namespace moesim::quantum
