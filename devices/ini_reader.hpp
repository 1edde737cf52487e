// A tiny INI reader for device presets (devices/presets/*.ini). devices/ does
// not depend on src/config: presets are plain `[section]` headers and
// `key = value` lines; `;` or `#` start a comment at the beginning of a line or
// after whitespace. Errors are moesim::DataError naming the file and line.
#pragma once
#include <map>
#include <string>

namespace moesim::devices {

struct IniEntry {
  std::string value;
  int line = 0;  // 1-based line in the file
};

struct IniFile {
  std::string path;
  // section -> key -> entry; keys before any section header go to section "".
  std::map<std::string, std::map<std::string, IniEntry>> sections;

  bool has(const std::string& section, const std::string& key) const;
  // The entry, or nullptr.
  const IniEntry* find(const std::string& section, const std::string& key) const;
};

// Parses the file; throws DataError if it cannot be opened or a line is
// malformed (names the file and line) or a key repeats within a section.
IniFile read_ini(const std::string& path);

// Parses text as if read from `path` (path only names errors).
IniFile parse_ini(const std::string& text, const std::string& path);

// The value of [section] key as a finite, non-negative number. Throws
// DataError naming the file, section and key when the key is missing, the
// value is not a number, is not finite, or is negative.
double ini_nonnegative_number(const IniFile& ini, const std::string& section, const std::string& key);

}  // namespace moesim::devices
