// Loading neuron / synapse presets (devices/presets/neuron_<name>.ini).
#include "models/spiking/neuron_preset.hpp"

#include "core/error.hpp"
#include "devices/ini_reader.hpp"
#include "devices/presets_dir.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace moesim::spiking {

namespace {

const char* const kPrefix = "neuron_";
const char* const kFreeSections[] = {"synapse", "network", "input"};

bool is_path(const std::string& s) {
  return s.find('/') != std::string::npos || (s.size() >= 4 && s.compare(s.size() - 4, 4, ".ini") == 0);
}

std::string at(const devices::IniFile& ini, const std::string& section, const std::string& key,
               const devices::IniEntry& e) {
  return ini.path + ":" + std::to_string(e.line) + ": [" + section + "] " + key + " = '" + e.value + "': ";
}

// A finite number (negative allowed: potentials are); DataError otherwise.
double number(const devices::IniFile& ini, const std::string& section, const std::string& key,
              const devices::IniEntry& e) {
  const std::string& v = e.value;
  const char* first = v.data();
  const char* last = v.data() + v.size();
  if (first != last && *first == '+') ++first;  // from_chars does not take a leading '+'
  double x = 0;
  const auto [ptr, ec] = std::from_chars(first, last, x);
  if (v.empty() || ec == std::errc::invalid_argument || ptr != last)
    throw DataError(at(ini, section, key, e) + "not a number");
  if (ec == std::errc::result_out_of_range || !std::isfinite(x))
    throw DataError(at(ini, section, key, e) + "not a finite number");
  return x;
}

const devices::IniEntry& required(const devices::IniFile& ini, const std::string& section, const std::string& key) {
  const devices::IniEntry* e = ini.find(section, key);
  if (!e) throw DataError(ini.path + ": missing key [" + section + "] " + key);
  return *e;
}

// Reads every key of `fields` (all required) into `params`; a key of the
// section that is not in `fields` nor in `extra` is an error.
template <class P>
void read_fields(const devices::IniFile& ini, const std::string& section, const std::vector<ParamField<P>>& fields,
                 const std::vector<std::string>& extra, P& params) {
  const auto& keys = ini.sections.at(section);
  for (const auto& [key, entry] : keys) {
    bool known = std::find(extra.begin(), extra.end(), key) != extra.end();
    for (const auto& f : fields) known = known || key == f.key;
    if (!known) {
      std::string accepted;
      for (const auto& x : extra) accepted += (accepted.empty() ? "" : ", ") + x;
      for (const auto& f : fields) accepted += (accepted.empty() ? "" : ", ") + std::string(f.key);
      throw DataError(ini.path + ":" + std::to_string(entry.line) + ": unknown key [" + section + "] " + key +
                      " (accepted: " + accepted + ")");
    }
  }
  for (const auto& f : fields) params.*(f.member) = number(ini, section, f.key, required(ini, section, f.key));
}

// Runs a model's validation and reports its complaint against the file.
template <class F>
void validate_in_file(const devices::IniFile& ini, const std::string& section, F&& make) {
  try {
    make();
  } catch (const UsageError& e) {
    throw DataError(ini.path + ": [" + section + "]: " + e.what());
  }
}

int first_line(const std::map<std::string, devices::IniEntry>& keys) {
  int line = 1 << 30;
  for (const auto& [k, e] : keys) line = std::min(line, e.line);
  return line;
}

std::string available(const std::string& dir) {
  std::string names;
  for (const auto& n : neuron_preset_names(dir)) names += (names.empty() ? "" : ", ") + n;
  return names.empty() ? "none" : names;
}

}  // namespace

const char* neuron_model_name(NeuronModelKind kind) {
  switch (kind) {
    case NeuronModelKind::kLifExp: return lif_exp_info().name;
    case NeuronModelKind::kConductanceLif: return conductance_lif_info().name;
    case NeuronModelKind::kAdaptiveLif: return adaptive_lif_info().name;
  }
  return "?";
}

const NeuronPopulationPreset& NeuronPreset::population(const std::string& which) const {
  if (which.empty() && populations.size() == 1) return populations.front();
  for (const auto& p : populations)
    if (p.name == which) return p;
  std::string names;
  for (const auto& p : populations) names += (names.empty() ? "" : ", ") + (p.name.empty() ? "\"\"" : p.name);
  throw UsageError("neuron preset '" + name + "': no population '" + which + "' (populations: " + names + ")");
}

double NeuronPreset::value(const std::string& section, const std::string& key) const {
  const auto s = values.find(section);
  if (s != values.end()) {
    const auto k = s->second.find(key);
    if (k != s->second.end()) return k->second;
  }
  throw DataError(path + ": missing key [" + section + "] " + key);
}

std::vector<std::string> neuron_preset_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path p = it->path();
    const std::string stem = p.stem().string();
    if (p.extension() == ".ini" && stem.rfind(kPrefix, 0) == 0)
      names.push_back(stem.substr(std::char_traits<char>::length(kPrefix)));
  }
  std::sort(names.begin(), names.end());
  return names;
}

NeuronPreset load_neuron_preset(const std::string& name_or_path, const std::vector<std::string>& fallback_dirs) {
  if (name_or_path.empty()) throw UsageError("neuron preset: empty name");
  NeuronPreset preset;
  if (is_path(name_or_path)) {
    preset.path = name_or_path;
    preset.name = fs::path(name_or_path).stem().string();
    if (preset.name.rfind(kPrefix, 0) == 0) preset.name.erase(0, std::char_traits<char>::length(kPrefix));
  } else {
    const std::string dir = presets_directory(fallback_dirs);
    preset.name = name_or_path;
    preset.path = (fs::path(dir) / (kPrefix + name_or_path + ".ini")).string();
    std::error_code ec;
    if (!fs::exists(preset.path, ec))
      throw UsageError("unknown neuron preset '" + name_or_path + "' (available in " + dir + ": " + available(dir) +
                       ")");
  }

  const devices::IniFile ini = devices::read_ini(preset.path);
  const devices::IniEntry* citation = ini.find("source", "citation");
  if (!citation || citation->value.empty())
    throw DataError(preset.path + ": missing key [source] citation (every preset cites its source)");
  preset.source = citation->value;

  if (!ini.sections.count("simulation")) throw DataError(preset.path + ": missing section [simulation]");
  read_fields(ini, "simulation", std::vector<ParamField<NeuronPreset>>{{"dt_ms", &NeuronPreset::dt_ms, "time step"}},
              {}, preset);
  if (!(preset.dt_ms > 0))
    throw DataError(at(ini, "simulation", "dt_ms", required(ini, "simulation", "dt_ms")) + "must be positive");

  std::vector<std::pair<int, NeuronPopulationPreset>> found;
  for (const auto& [section, keys] : ini.sections) {
    const bool neuron = section == "neuron" || section.rfind("neuron.", 0) == 0;
    if (neuron) {
      NeuronPopulationPreset pop;
      pop.name = section == "neuron" ? "" : section.substr(7);
      if (section != "neuron" && pop.name.empty()) throw DataError(preset.path + ": empty population name in [neuron.]");
      const devices::IniEntry& model = required(ini, section, "model");
      if (model.value == lif_exp_info().name) {
        pop.model = NeuronModelKind::kLifExp;
        read_fields(ini, section, lif_exp_fields(), {"model"}, pop.lif_exp);
        validate_in_file(ini, section, [&] { LifExpModel::make(pop.lif_exp, preset.dt_ms); });
      } else if (model.value == conductance_lif_info().name) {
        pop.model = NeuronModelKind::kConductanceLif;
        read_fields(ini, section, conductance_lif_fields(), {"model"}, pop.conductance);
        validate_in_file(ini, section, [&] { ConductanceLifModel::make(pop.conductance, preset.dt_ms); });
      } else if (model.value == adaptive_lif_info().name) {
        pop.model = NeuronModelKind::kAdaptiveLif;
        read_fields(ini, section, adaptive_lif_fields(), {"model"}, pop.adaptive);
        pop.conductance = pop.adaptive;
        validate_in_file(ini, section, [&] { AdaptiveLifModel::make(pop.adaptive, preset.dt_ms); });
      } else {
        throw DataError(at(ini, section, "model", model) + "unknown model (accepted: " + lif_exp_info().name +
                        ", " + conductance_lif_info().name + ", " + adaptive_lif_info().name + ")");
      }
      found.emplace_back(first_line(keys), std::move(pop));
    } else if (section == "stdp") {
      preset.has_stdp = true;
      const devices::IniEntry& pairing = required(ini, section, "pairing");
      if (pairing.value == "all_to_all")
        preset.stdp.pairing = StdpPairing::kAllToAll;
      else if (pairing.value == "nearest")
        preset.stdp.pairing = StdpPairing::kNearest;
      else
        throw DataError(at(ini, section, "pairing", pairing) + "accepted: all_to_all, nearest");
      read_fields(ini, section, stdp_rule_fields(), {"pairing"}, preset.stdp);
      validate_in_file(ini, section, [&] { validate(preset.stdp); });
    } else if (std::find(std::begin(kFreeSections), std::end(kFreeSections), section) != std::end(kFreeSections)) {
      auto& out = preset.values[section];
      for (const auto& [key, entry] : keys) out[key] = number(ini, section, key, entry);
    } else if (section != "source" && section != "simulation") {
      throw DataError(preset.path + ":" + std::to_string(first_line(keys)) + ": unknown section [" + section +
                      "] (accepted: source, simulation, neuron, neuron.<population>, synapse, network, input, stdp)");
    }
  }
  if (found.empty()) throw DataError(preset.path + ": no [neuron] or [neuron.<population>] section");
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& f : found) preset.populations.push_back(std::move(f.second));
  return preset;
}

}  // namespace moesim::spiking
