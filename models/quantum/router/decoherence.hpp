// Decoherence manager of the QS-MoE router: how much error the router's
// circuit accumulates on a device as its depth grows, and the deepest
// measurement layer that stays within a budget (quantum.max_error).
//
// Device figures (from a qubit preset, devices/presets/qubit_*.ini): T1, T2,
// single- and two-qubit gate times and errors, readout flips. Schedule of
// the circuit (circuit_layout.hpp): the encoding layer lasts one 1-qubit gate
// time; each variational layer is the CZ ring (depth 1 for 2 qubits, 2 for an
// even ring, 3 for an odd one) followed by rz and ry on every qubit:
// τ_layer = depth · t_2q + 2 · t_1q. The noise model is the preset's
// (qubit_preset.hpp): gate errors on the qubits a gate touches, T1/T2
// relaxation of every qubit over each layer's duration, readout flips. The
// estimate after m layers multiplies the average fidelities of these parts:
//   F(m) = (1 − ε1)^{n(1+2m)} (1 − ε2)^{c·m} F_idle(t_1q)^n F_idle(τ_layer)^{n·m}
//          · (1 − (p01 + p10)/2)^n,          error(m) = 1 − F(m)
// (c CZs per ring), with F_idle(τ) = 1/2 + e^{−τ/T1}/6 + e^{−τ/T2}/3, the
// average fidelity of the T1/T2 channel (from its entanglement fidelity
// (2 − γ + 2e^{−τ/T2})/4, γ = 1 − e^{−τ/T1}). The manager picks the largest
// m ≤ L with error(m) ≤ max_error (m = 0 when even the encoding alone exceeds
// the budget). A noiseless run has error 0 at every depth.
#pragma once
#include <vector>

namespace moesim::quantum {

struct DeviceErrorModel {
  double t1_s = 0.0, t2_s = 0.0;  // 0: no idle decay
  double gate_time_1q_s = 0.0, gate_time_2q_s = 0.0;
  double error_1q = 0.0, error_2q = 0.0;
  double readout_p01 = 0.0, readout_p10 = 0.0;
};

class DecoherenceManager {
 public:
  DecoherenceManager() = default;
  DecoherenceManager(const DeviceErrorModel& device, unsigned qubits, int layers, double max_error);

  // error(m) for m = 0 … layers.
  const std::vector<double>& error_by_layer() const { return error_; }
  double error(int m) const { return error_.at(std::size_t(m)); }
  // Duration (s) of the circuit measured after layer m (measurement excluded).
  double duration_s(int m) const { return duration_.at(std::size_t(m)); }
  // The deepest layer within max_error.
  int measurement_layer() const { return measure_layer_; }
  bool within_budget() const { return error_.empty() || error_[std::size_t(measure_layer_)] <= max_error_; }
  double max_error() const { return max_error_; }
  double layer_duration_s() const { return layer_s_; }

 private:
  std::vector<double> error_, duration_;
  int measure_layer_ = 0;
  double max_error_ = 1.0;
  double layer_s_ = 0.0;
};

// Ring depth (rounds of disjoint CZs) of the entangling ring on n qubits.
int ring_depth(unsigned qubits);

}  // namespace moesim::quantum
