#include "models/quantum/router/noise_from_preset.hpp"

#include "models/quantum/qubit_preset.hpp"

namespace moesim::quantum {

DeviceErrorModel device_error_model(const std::string& name, const CircuitLayout& layout, RegisterNoise* noise) {
  const QubitPreset p = load_qubit_preset(name);
  DeviceErrorModel d;
  d.t1_s = p.t1_s;
  d.t2_s = p.t2_s;
  d.gate_time_1q_s = p.gate_time_1q_s;
  d.gate_time_2q_s = p.gate_time_2q_s;
  d.error_1q = p.error_1q;
  d.error_2q = p.error_2q;
  d.readout_p01 = p.readout_p01;
  d.readout_p10 = p.readout_p10;
  if (noise) {
    noise->preset = name;
    noise->after_1q = gate_error_channel(p, 1).ops;
    noise->after_2q = gate_error_channel(p, 2).ops;
    noise->idle_encoding = idle_channel(p, p.gate_time_1q_s).ops;
    const double layer_s = ring_depth(layout.qubits) * p.gate_time_2q_s + 2.0 * p.gate_time_1q_s;
    noise->idle_layer = idle_channel(p, layer_s).ops;
    noise->readout_p01 = p.readout_p01;
    noise->readout_p10 = p.readout_p10;
  }
  return d;
}

}  // namespace moesim::quantum
