#include "devices/ini_reader.hpp"

#include "core/error.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <system_error>

namespace moesim::devices {

namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

// Removes a comment: `;` or `#` at the start of the line or after whitespace.
std::string strip_comment(const std::string& line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if ((line[i] == ';' || line[i] == '#') && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
      return line.substr(0, i);
  }
  return line;
}

std::string where(const std::string& path, int line) { return path + ":" + std::to_string(line); }

}  // namespace

bool IniFile::has(const std::string& section, const std::string& key) const {
  return find(section, key) != nullptr;
}

const IniEntry* IniFile::find(const std::string& section, const std::string& key) const {
  const auto s = sections.find(section);
  if (s == sections.end()) return nullptr;
  const auto k = s->second.find(key);
  return k == s->second.end() ? nullptr : &k->second;
}

IniFile parse_ini(const std::string& text, const std::string& path) {
  IniFile ini;
  ini.path = path;
  std::istringstream in(text);
  std::string raw;
  std::string section;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = trim(strip_comment(raw));
    if (line.empty()) continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3)
        throw DataError(where(path, line_no) + ": malformed section header '" + line + "'");
      section = trim(line.substr(1, line.size() - 2));
      if (section.empty()) throw DataError(where(path, line_no) + ": empty section name");
      ini.sections[section];  // an empty section still exists
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      throw DataError(where(path, line_no) + ": expected 'key = value', got '" + line + "'");
    const std::string key = trim(line.substr(0, eq));
    const std::string value = trim(line.substr(eq + 1));
    if (key.empty()) throw DataError(where(path, line_no) + ": missing key before '='");
    auto& keys = ini.sections[section];
    if (const auto old = keys.find(key); old != keys.end())
      throw DataError(where(path, line_no) + ": key '" + key + "' in [" + section +
                      "] repeats (first at line " + std::to_string(old->second.line) + ")");
    keys[key] = IniEntry{value, line_no};
  }
  return ini;
}

IniFile read_ini(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw DataError(path + ": cannot open the file for reading");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) throw DataError(path + ": read error");
  return parse_ini(text.str(), path);
}

double ini_nonnegative_number(const IniFile& ini, const std::string& section, const std::string& key) {
  const IniEntry* entry = ini.find(section, key);
  const std::string name = "[" + section + "] " + key;
  if (!entry) throw DataError(ini.path + ": missing key " + name);
  const std::string& v = entry->value;
  const std::string at = where(ini.path, entry->line) + ": " + name + " = '" + v + "': ";
  double x = 0;
  const char* first = v.data();
  const char* last = v.data() + v.size();
  if (first != last && *first == '+') ++first;  // from_chars does not accept a leading '+'
  const auto [ptr, ec] = std::from_chars(first, last, x);
  if (v.empty() || ec == std::errc::invalid_argument || ptr != last)
    throw DataError(at + "not a number");
  if (ec == std::errc::result_out_of_range || !std::isfinite(x)) throw DataError(at + "not a finite number");
  if (x < 0) throw DataError(at + "must not be negative");
  return x;
}

}  // namespace moesim::devices
