// Where a run's configuration comes from (DESIGN.md §3): the --config INI, the
// --set overrides and the command-line options that map to keys (--seed).
// Kept out of the CLI so that tests can call it with their own schema.
#pragma once
#include "config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace moesim {

struct ConfigSources {
  std::optional<std::string> config_path;  // --config FILE
  std::vector<std::string> sets;           // --set section.key=value, in command-line order
  std::optional<std::int64_t> seed;        // --seed N
};

// "section.key=value" -> {key, value}, both trimmed; the value may be empty
// (unsets a key without default). Throws UsageError if malformed.
std::pair<std::string, std::string> parse_override(const std::string& text);

// Reads the INI (a missing or unreadable --config file is a UsageError naming
// it), applies the --set overrides in order, and --seed as experiment.seeds
// unless experiment.seeds is set by the INI or a --set (then `note`, if given,
// receives a one-line explanation), and resolves against `schema`.
Config load_config(const ConfigSchema& schema, const ConfigSources& sources,
                   std::string* note = nullptr);

// Quotes one argument for a POSIX shell when needed ("a b" -> 'a b').
std::string shell_quote(const std::string& arg);
// Every argument, quoted where needed, joined by spaces.
std::string join_command_line(int argc, const char* const* argv);

}  // namespace moesim
