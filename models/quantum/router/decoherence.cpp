#include "models/quantum/router/decoherence.hpp"

#include <cmath>

namespace moesim::quantum {

int ring_depth(unsigned qubits) {
  if (qubits < 2) return 0;
  if (qubits == 2) return 1;
  return qubits % 2 == 0 ? 2 : 3;
}

namespace {
double idle_fidelity(const DeviceErrorModel& d, double tau) {
  if (tau <= 0.0) return 1.0;
  const double a = d.t1_s > 0.0 ? std::exp(-tau / d.t1_s) : 1.0;
  const double p = d.t2_s > 0.0 ? std::exp(-tau / d.t2_s) : 1.0;
  return 0.5 + a / 6.0 + p / 3.0;
}
}  // namespace

DecoherenceManager::DecoherenceManager(const DeviceErrorModel& d, unsigned n, int layers, double max_error)
    : max_error_(max_error) {
  const int depth = ring_depth(n);
  const int czs = n == 2 ? 1 : (n >= 3 ? int(n) : 0);
  layer_s_ = depth * d.gate_time_2q_s + 2.0 * d.gate_time_1q_s;
  const double readout = std::pow(1.0 - 0.5 * (d.readout_p01 + d.readout_p10), double(n));
  // log F accumulates; encoding: one 1q gate per qubit and its duration.
  double log_f = n * (std::log1p(-d.error_1q) + std::log(idle_fidelity(d, d.gate_time_1q_s)));
  double t = d.gate_time_1q_s;
  const double layer_log_f = 2.0 * n * std::log1p(-d.error_1q) + czs * std::log1p(-d.error_2q) +
                             n * std::log(idle_fidelity(d, layer_s_));
  for (int m = 0; m <= layers; ++m) {
    if (m > 0) {
      log_f += layer_log_f;
      t += layer_s_;
    }
    error_.push_back(1.0 - std::exp(log_f) * readout);
    duration_.push_back(t);
  }
  measure_layer_ = 0;
  for (int m = 0; m <= layers; ++m)
    if (error_[std::size_t(m)] <= max_error_) measure_layer_ = m;
}

}  // namespace moesim::quantum
