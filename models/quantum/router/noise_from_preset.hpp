// Builds the router's noise model and decoherence figures from a qubit preset
// (models/quantum/qubit_preset.hpp, devices/presets/qubit_*.ini), following
// the preset's noise model: gate_error_channel(preset, arity) on every qubit
// a gate acts on, thermal relaxation idle_channel(preset, t) on every qubit
// for the whole duration of each layer (encoding: one 1-qubit gate time;
// variational layer: ring depth × 2-qubit gate time + 2 × 1-qubit gate time),
// readout flips on every measured bit.
#pragma once
#include "models/quantum/router/circuit_layout.hpp"
#include "models/quantum/router/decoherence.hpp"
#include "models/quantum/router/noisy_register.hpp"

#include <string>

namespace moesim::quantum {

// The device figures of preset `name` (UsageError for an unknown preset);
// fills `noise` (if given) with the Kraus channels for `layout`.
DeviceErrorModel device_error_model(const std::string& name, const CircuitLayout& layout, RegisterNoise* noise);

}  // namespace moesim::quantum
