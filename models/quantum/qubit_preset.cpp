#include "models/quantum/qubit_preset.hpp"

#include "core/error.hpp"
#include "devices/ini_reader.hpp"
#include "devices/presets_dir.hpp"

#include <cmath>
#include <filesystem>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace moesim::quantum {

namespace {

const char* const kPrefix = "qubit_";
const char* const kSection = "qubit";

struct KeySlot {
  const char* key;
  double QubitPreset::*field;
  double max;  // accepted range [0, max] (max < 0: no upper bound); times must be > 0
};

// Error rates: depolarizing p = 3/2 r ≤ 1 and 5/4 r ≤ 1 bound them.
const KeySlot kSlots[] = {
    {"t1_s", &QubitPreset::t1_s, -1},
    {"t2_s", &QubitPreset::t2_s, -1},
    {"gate_time_1q_s", &QubitPreset::gate_time_1q_s, -1},
    {"gate_time_2q_s", &QubitPreset::gate_time_2q_s, -1},
    {"measure_time_s", &QubitPreset::measure_time_s, -1},
    {"error_1q", &QubitPreset::error_1q, 2.0 / 3.0},
    {"error_2q", &QubitPreset::error_2q, 0.8},
    {"readout_p01", &QubitPreset::readout_p01, 1.0},
    {"readout_p10", &QubitPreset::readout_p10, 1.0},
};

std::vector<std::string> default_dirs(const std::vector<std::string>& fallback_dirs) {
  if (!fallback_dirs.empty()) return fallback_dirs;
  return {MOESIM_SOURCE_PRESETS, MOESIM_INSTALL_PRESETS};
}

bool is_path(const std::string& s) {
  return s.find('/') != std::string::npos || (s.size() >= 4 && s.compare(s.size() - 4, 4, ".ini") == 0);
}

std::string accepted_keys() {
  std::string out = "technology";
  for (const auto& slot : kSlots) out += std::string(", ") + slot.key;
  return out;
}

}  // namespace

std::vector<std::string> available_qubit_presets(const std::vector<std::string>& fallback_dirs) {
  std::vector<std::string> names;
  for (const auto& [stem, description] : list_presets(presets_directory(default_dirs(fallback_dirs))))
    if (stem.rfind(kPrefix, 0) == 0) names.push_back(stem.substr(std::char_traits<char>::length(kPrefix)));
  return names;
}

QubitPreset load_qubit_preset(const std::string& name_or_path, const std::vector<std::string>& fallback_dirs) {
  QubitPreset preset;
  if (is_path(name_or_path)) {
    preset.path = name_or_path;
    preset.name = fs::path(name_or_path).stem().string();
    if (preset.name.rfind(kPrefix, 0) == 0) preset.name.erase(0, std::char_traits<char>::length(kPrefix));
  } else {
    const std::string dir = presets_directory(default_dirs(fallback_dirs));
    preset.name = name_or_path;
    preset.path = (fs::path(dir) / (kPrefix + name_or_path + ".ini")).string();
    std::error_code ec;
    if (name_or_path.empty() || !fs::is_regular_file(preset.path, ec)) {
      std::string names;
      for (const auto& n : available_qubit_presets({dir})) names += (names.empty() ? "" : ", ") + n;
      throw UsageError("unknown qubit preset '" + name_or_path + "' (accepted: " +
                       (names.empty() ? std::string("none") : names) + "; looked for " + preset.path + ")");
    }
  }

  const auto ini = devices::read_ini(preset.path);
  const devices::IniEntry* citation = ini.find("source", "citation");
  if (!citation || citation->value.empty())
    throw DataError(preset.path + ": missing key [source] citation (every preset cites its source)");
  preset.source = citation->value;

  const auto section = ini.sections.find(kSection);
  if (section == ini.sections.end()) throw DataError(preset.path + ": missing section [qubit]");
  for (const auto& [key, entry] : section->second) {
    bool known = key == "technology";
    for (const auto& slot : kSlots) known = known || key == slot.key;
    if (!known)
      throw DataError(preset.path + ":" + std::to_string(entry.line) + ": unknown key [qubit] " + key +
                      " (accepted: " + accepted_keys() + ")");
  }
  if (const auto* tech = ini.find(kSection, "technology")) preset.technology = tech->value;

  for (const auto& slot : kSlots) {
    const double v = devices::ini_nonnegative_number(ini, kSection, slot.key);
    const int line = ini.find(kSection, slot.key)->line;
    const std::string at = preset.path + ":" + std::to_string(line) + ": [qubit] " + slot.key + " = " +
                           ini.find(kSection, slot.key)->value + ": ";
    if (slot.max < 0 && !(v > 0)) throw DataError(at + "must be > 0");
    if (slot.max >= 0 && v > slot.max) throw DataError(at + "must be <= " + std::to_string(slot.max));
    preset.*(slot.field) = v;
  }
  if (preset.t2_s > 2 * preset.t1_s)
    throw DataError(preset.path + ": [qubit] t2_s = " + std::to_string(preset.t2_s) + " exceeds 2 * t1_s = " +
                    std::to_string(2 * preset.t1_s) + " (T2 <= 2 T1 is required)");
  return preset;
}

KrausChannel gate_error_channel(const QubitPreset& preset, int arity) {
  KrausChannel ch;
  if (arity == 1)
    ch = depolarizing(1.5 * preset.error_1q);
  else if (arity == 2)
    ch = depolarizing(1.0 - std::sqrt(1.0 - 1.25 * preset.error_2q));
  else
    throw UsageError("quantum: gate_error_channel arity = " + std::to_string(arity) + " (accepted: 1, 2)");
  ch.name = "gate_error_" + std::to_string(arity) + "q(" + preset.name + ")";
  return ch;
}

KrausChannel idle_channel(const QubitPreset& preset, double duration_s) {
  KrausChannel ch = thermal_relaxation(preset.t1_s, preset.t2_s, duration_s);
  ch.name = "idle(" + preset.name + ")";
  return ch;
}

}  // namespace moesim::quantum
