// Qubit device presets (devices/presets/qubit_<name>.ini): coherence times,
// gate and measurement durations, gate error rates and readout errors of a
// qubit technology, each with the source it comes from ([source] section).
// The noise model built from a preset:
//  * after a gate, gate_error_channel(preset, arity) on every qubit it acts on
//    (depolarizing, with the preset's average gate infidelity);
//  * while a qubit idles (or during a gate's duration), idle_channel(preset, t)
//    = thermal_relaxation(T1, T2, t);
//  * on every measured bit, apply_readout_error(bit, readout_p01, readout_p10, u).
#pragma once
#include "models/quantum/noise.hpp"

#include <string>
#include <vector>

namespace moesim::quantum {

struct QubitPreset {
  std::string name;        // preset name (file stem without "qubit_")
  std::string path;        // the file it was read from
  std::string source;      // [source] citation
  std::string technology;  // [qubit] technology (free text)
  double t1_s = 0;         // energy relaxation time
  double t2_s = 0;         // coherence time (T2 ≤ 2 T1)
  double gate_time_1q_s = 0, gate_time_2q_s = 0, measure_time_s = 0;
  double error_1q = 0;     // average gate infidelity 1 − F_avg of a 1-qubit gate
  double error_2q = 0;     // average gate infidelity 1 − F_avg of a 2-qubit gate
  double readout_p01 = 0;  // P(read 1 | qubit in |0⟩)
  double readout_p10 = 0;  // P(read 0 | qubit in |1⟩)
};

// Loads a qubit preset. `name_or_path` is a file path if it contains '/' or
// ends in ".ini"; otherwise the preset <dir>/qubit_<name>.ini with
// dir = presets_directory(fallback_dirs) (MOESIM_PRESETS first; by default the
// source and install trees recorded at configure time). An unknown name is a
// moesim::UsageError listing the available qubit presets; a bad file (missing
// or malformed key, unknown key in [qubit], value out of range, T2 > 2 T1) is a
// moesim::DataError naming the file, section and key.
QubitPreset load_qubit_preset(const std::string& name_or_path, const std::vector<std::string>& fallback_dirs = {});

// Names of the qubit presets in the presets directory (without "qubit_").
std::vector<std::string> available_qubit_presets(const std::vector<std::string>& fallback_dirs = {});

// The one-qubit depolarizing channel applied to each qubit a gate of `arity`
// (1 or 2) acts on, chosen so that the gate's average infidelity equals the
// preset's: arity 1: p = 3/2 · error_1q (F_avg = 1 − 2p/3); arity 2: the same
// p on both qubits with (1 − p)² = 1 − 5/4 · error_2q (the product channel's
// average infidelity, 4/5 of its Pauli error). UsageError for another arity.
KrausChannel gate_error_channel(const QubitPreset& preset, int arity);

// thermal_relaxation(T1, T2, duration_s) of the preset.
KrausChannel idle_channel(const QubitPreset& preset, double duration_s);

}  // namespace moesim::quantum
