#include "models/bio/neuromorphic_energy.hpp"

#include "core/error.hpp"
#include "devices/ini_reader.hpp"
#include "devices/presets_dir.hpp"

#include <filesystem>

namespace fs = std::filesystem;

namespace moesim::bio {

namespace {
constexpr double kJoulePerPicojoule = 1e-12;
constexpr const char* kPrefix = "neuromorphic_";

struct Slot {
  const char* key;
  double NeuromorphicEnergy::*field;
};
const Slot kSlots[] = {
    {"synaptic_spike_op_pj", &NeuromorphicEnergy::synaptic_spike_op_j},
    {"synaptic_update_stdp_pj", &NeuromorphicEnergy::synaptic_update_stdp_j},
    {"neuron_update_active_pj", &NeuromorphicEnergy::neuron_update_active_j},
    {"neuron_update_inactive_pj", &NeuromorphicEnergy::neuron_update_inactive_j},
    {"within_tile_spike_pj", &NeuromorphicEnergy::within_tile_spike_j},
    {"tile_hop_east_west_pj", &NeuromorphicEnergy::tile_hop_east_west_j},
    {"tile_hop_north_south_pj", &NeuromorphicEnergy::tile_hop_north_south_j},
};
}  // namespace

const std::vector<std::string>& neuromorphic_energy_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const auto& s : kSlots) k.emplace_back(s.key);
    return k;
  }();
  return keys;
}

NeuromorphicEnergy load_neuromorphic_energy(const std::string& name_or_path) {
  NeuromorphicEnergy e;
  const bool is_path = name_or_path.find('/') != std::string::npos ||
                       (name_or_path.size() > 4 && name_or_path.compare(name_or_path.size() - 4, 4, ".ini") == 0);
  if (is_path) {
    e.path = name_or_path;
    e.name = fs::path(name_or_path).stem().string();
  } else {
    const std::string dir = presets_directory({MOESIM_SOURCE_PRESETS, MOESIM_INSTALL_PRESETS});
    e.name = name_or_path;
    e.path = (fs::path(dir) / (kPrefix + name_or_path + ".ini")).string();
    std::error_code ec;
    if (!fs::exists(e.path, ec)) {
      std::string accepted;
      for (const auto& [stem, _] : list_presets(dir))
        if (stem.rfind(kPrefix, 0) == 0)
          accepted += (accepted.empty() ? "" : ", ") + stem.substr(std::char_traits<char>::length(kPrefix));
      throw UsageError("spiking.energy_preset: unknown neuromorphic preset '" + name_or_path + "' (" +
                       e.path + " does not exist; accepted: " + (accepted.empty() ? "none" : accepted) + ")");
    }
  }
  const auto ini = devices::read_ini(e.path);
  const auto* citation = ini.find("source", "citation");
  if (!citation || citation->value.empty())
    throw DataError(e.path + ": missing key [source] citation (every preset cites its source)");
  e.source = citation->value;
  const auto section = ini.sections.find("neuromorphic");
  if (section == ini.sections.end()) throw DataError(e.path + ": missing section [neuromorphic]");
  for (const auto& [key, entry] : section->second) {
    bool known = false;
    for (const auto& s : kSlots) known = known || key == s.key;
    if (!known)
      throw DataError(e.path + ":" + std::to_string(entry.line) + ": unknown key [neuromorphic] " + key);
  }
  for (const auto& s : kSlots)
    e.*(s.field) = devices::ini_nonnegative_number(ini, "neuromorphic", s.key) * kJoulePerPicojoule;
  return e;
}

}  // namespace moesim::bio
