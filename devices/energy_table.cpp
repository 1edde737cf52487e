#include "devices/energy_table.hpp"

#include "core/error.hpp"
#include "devices/ini_reader.hpp"
#include "devices/presets_dir.hpp"

#include <filesystem>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace moesim {

namespace {

constexpr double kJoulePerPicojoule = 1e-12;
const char* const kPrefix = "energy_";

struct KeySlot {
  const char* key;
  double EnergyTable::*field;
};

const KeySlot kSlots[] = {
    {"fp32_add_pj", &EnergyTable::fp32_add_j},
    {"fp32_mul_pj", &EnergyTable::fp32_mul_j},
    {"fp16_add_pj", &EnergyTable::fp16_add_j},
    {"fp16_mul_pj", &EnergyTable::fp16_mul_j},
    {"int32_add_pj", &EnergyTable::int32_add_j},
    {"int8_add_pj", &EnergyTable::int8_add_j},
    {"int32_mul_pj", &EnergyTable::int32_mul_j},
    {"int8_mul_pj", &EnergyTable::int8_mul_j},
    {"sram_read_64bit_8kb_pj", &EnergyTable::sram_read_64bit_8kb_j},
    {"sram_read_64bit_32kb_pj", &EnergyTable::sram_read_64bit_32kb_j},
    {"sram_read_64bit_1mb_pj", &EnergyTable::sram_read_64bit_1mb_j},
    {"dram_read_64bit_pj", &EnergyTable::dram_read_64bit_j},
};

bool is_path(const std::string& s) {
  return s.find('/') != std::string::npos ||
         (s.size() >= 4 && s.compare(s.size() - 4, 4, ".ini") == 0);
}

std::string available_energy_presets(const std::string& dir) {
  std::string names;
  try {
    for (const auto& [stem, description] : list_presets(dir)) {
      if (stem.rfind(kPrefix, 0) != 0) continue;
      names += (names.empty() ? "" : ", ") + stem.substr(std::char_traits<char>::length(kPrefix));
    }
  } catch (const DataError& e) {
    return std::string("none: ") + e.what();
  }
  return names.empty() ? "none" : names;
}

}  // namespace

const std::vector<std::string>& energy_table_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const auto& slot : kSlots) k.emplace_back(slot.key);
    return k;
  }();
  return keys;
}

EnergyTable load_energy_table(const std::string& name_or_path, const std::vector<std::string>& fallback_dirs) {
  if (name_or_path.empty()) throw DataError("energy table: empty preset name");
  EnergyTable table;
  if (is_path(name_or_path)) {
    table.path = name_or_path;
    table.name = fs::path(name_or_path).stem().string();
    if (table.name.rfind(kPrefix, 0) == 0) table.name.erase(0, std::char_traits<char>::length(kPrefix));
  } else {
    const std::string dir = presets_directory(fallback_dirs);
    table.name = name_or_path;
    table.path = (fs::path(dir) / (kPrefix + name_or_path + ".ini")).string();
    std::error_code ec;
    if (!fs::exists(table.path, ec))
      throw DataError("unknown energy preset '" + name_or_path + "': " + table.path +
                      " does not exist (available in " + dir + ": " + available_energy_presets(dir) + ")");
  }

  const auto ini = devices::read_ini(table.path);
  const devices::IniEntry* citation = ini.find("source", "citation");
  if (!citation || citation->value.empty())
    throw DataError(table.path + ": missing key [source] citation (every preset cites its source)");
  table.source = citation->value;

  const auto energy = ini.sections.find("energy");
  if (energy == ini.sections.end()) throw DataError(table.path + ": missing section [energy]");
  for (const auto& [key, entry] : energy->second) {
    bool known = false;
    for (const auto& slot : kSlots) known = known || key == slot.key;
    if (!known) {
      std::string accepted;
      for (const auto& slot : kSlots) accepted += (accepted.empty() ? "" : ", ") + std::string(slot.key);
      throw DataError(table.path + ":" + std::to_string(entry.line) + ": unknown key [energy] " + key +
                      " (accepted: " + accepted + ")");
    }
  }
  for (const auto& slot : kSlots)
    table.*(slot.field) = devices::ini_nonnegative_number(ini, "energy", slot.key) * kJoulePerPicojoule;
  return table;
}

}  // namespace moesim
