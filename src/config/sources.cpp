#include "config/sources.hpp"
#include "core/error.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>

namespace moesim {

namespace {

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n\f\v";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

}  // namespace

std::pair<std::string, std::string> parse_override(const std::string& text) {
  const auto eq = text.find('=');
  const std::string key = trim(text.substr(0, eq));
  bool ok = eq != std::string::npos && !key.empty() && key.find('.') != std::string::npos &&
            key.front() != '.' && key.back() != '.';
  for (char c : key)
    if (std::isspace(static_cast<unsigned char>(c))) ok = false;
  if (!ok)
    throw UsageError("--set '" + text + "': expected section.key=value (e.g. --set model.top_k=1)");
  return {key, trim(text.substr(eq + 1))};
}

Config load_config(const ConfigSchema& schema, const ConfigSources& sources, std::string* note) {
  std::optional<IniFile> ini;
  if (sources.config_path) {
    const std::string& path = *sources.config_path;
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw UsageError("--config " + path + ": no such file");
    if (!fs::is_regular_file(path, ec)) throw UsageError("--config " + path + ": not a regular file");
    if (!std::ifstream(path)) throw UsageError("--config " + path + ": cannot be read");
    try {
      ini = parse_ini(path);
    } catch (const DataError& e) {  // the user named the file: a usage error
      throw UsageError(std::string("--config ") + e.what());
    }
  }
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& s : sources.sets) overrides.push_back(parse_override(s));
  if (sources.seed) {
    bool seeds_given = ini && ini->values.count("experiment.seeds") > 0;
    for (const auto& [k, _] : overrides) seeds_given = seeds_given || k == "experiment.seeds";
    if (!seeds_given)
      overrides.insert(overrides.begin(), {"experiment.seeds", std::to_string(*sources.seed)});
    else if (note)
      *note = "--seed " + std::to_string(*sources.seed) +
              " ignored: experiment.seeds is set explicitly";
  }
  return Config::resolve(schema, ini, overrides);
}

std::string shell_quote(const std::string& arg) {
  if (arg.empty()) return "''";
  bool plain = true;
  for (char c : arg)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string("_@%+=:,./-").find(c) != std::string::npos))
      plain = false;
  if (plain) return arg;
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string join_command_line(int argc, const char* const* argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) out += (i ? " " : "") + shell_quote(argv[i] ? argv[i] : "");
  return out;
}

}  // namespace moesim
