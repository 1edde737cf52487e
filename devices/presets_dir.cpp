#include "devices/presets_dir.hpp"

#include "core/error.hpp"
#include "devices/ini_reader.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace moesim {

std::string presets_directory(const std::vector<std::string>& fallbacks) {
  if (const char* env = std::getenv("MOESIM_PRESETS"); env && *env) return env;
  std::string tried;
  for (const auto& dir : fallbacks) {
    if (dir.empty()) continue;
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return dir;
    tried += (tried.empty() ? "" : ", ") + dir;
  }
  throw DataError("no presets directory found: MOESIM_PRESETS is not set" +
                  (tried.empty() ? std::string(" and no fallback was given")
                                 : " and none of these exists: " + tried));
}

std::vector<std::pair<std::string, std::string>> list_presets(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw DataError(dir + ": not a presets directory (does not exist or is not a directory)");
  std::vector<std::pair<std::string, std::string>> out;
  fs::directory_iterator it(dir, ec);
  if (ec) throw DataError(dir + ": cannot list the presets directory: " + ec.message());
  for (const auto& entry : it) {
    const fs::path p = entry.path();
    if (p.extension() != ".ini") continue;
    std::error_code fec;
    if (!entry.is_regular_file(fec)) continue;
    std::string description;
    try {
      const auto ini = devices::read_ini(p.string());
      const devices::IniEntry* citation = ini.find("source", "citation");
      if (!citation) {  // else the first key of [source]
        const auto s = ini.sections.find("source");
        if (s != ini.sections.end() && !s->second.empty()) {
          // The earliest line of the section, not the alphabetically first key.
          const auto first = std::min_element(s->second.begin(), s->second.end(),
                                              [](const auto& a, const auto& b) { return a.second.line < b.second.line; });
          citation = &first->second;
        }
      }
      if (citation && !citation->value.empty())
        description = citation->value.substr(0, citation->value.find('\n'));
      else
        description = "(no [source] citation)";
    } catch (const DataError& e) {
      description = std::string("(unreadable: ") + e.what() + ")";
    }
    out.emplace_back(p.stem().string(), description);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace moesim
