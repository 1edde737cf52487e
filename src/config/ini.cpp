// INI reading: `[section]` headers, `key = value` lines, `#` / `;` comments
// (whole lines, or after whitespace at the end of a line), whitespace trimmed.
// `[section] key = v` becomes `section.key`; `[variant.NAME] key = v` becomes
// `variant.NAME.key`. Before any section header a key must be fully qualified
// (`model.top_k = 2`).
#include "config/config.hpp"
#include "core/error.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace moesim {

namespace {

std::string trim(const std::string& s) {
  const char* ws = " \t\r\f\v";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// Removes a trailing comment: `#` or `;` at the start or after whitespace.
std::string strip_comment(const std::string& line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if ((line[i] == '#' || line[i] == ';') &&
        (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
      return line.substr(0, i);
  }
  return line;
}

bool valid_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

bool valid_dotted_name(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string::npos) return false;
  for (char c : name)
    if (!valid_name_char(c)) return false;
  return true;
}

}  // namespace

IniFile parse_ini_text(const std::string& text, const std::string& origin) {
  IniFile ini;
  ini.path = origin;
  std::istringstream in(text);
  std::string raw, section;
  int line_no = 0;
  auto fail = [&](const std::string& what) {
    throw UsageError(origin + ":" + std::to_string(line_no) + ": " + what);
  };
  while (std::getline(in, raw)) {
    ++line_no;
    if (line_no == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);  // UTF-8 BOM
    const std::string line = trim(strip_comment(raw));
    if (line.empty()) continue;
    if (line.front() == '[') {
      if (line.back() != ']') fail("unterminated section header '" + line + "' (expected '[name]')");
      const std::string name = trim(line.substr(1, line.size() - 2));
      if (!valid_dotted_name(name))
        fail("invalid section name '" + name + "' (letters, digits, '_', '-' and '.')");
      if (name == "variant") fail("section [variant] needs a name: [variant.NAME]");
      if (name.rfind("variant.", 0) == 0 && name.find('.', 8) != std::string::npos)
        fail("invalid variant section '[" + name + "]': NAME may not contain '.'");
      section = name;
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) fail("expected 'key = value' or '[section]', got '" + line + "'");
    const std::string key = trim(line.substr(0, eq));
    const std::string value = trim(line.substr(eq + 1));
    if (key.empty()) fail("missing key before '=' in '" + line + "'");
    if (!valid_dotted_name(key))
      fail("invalid key '" + key + "' (letters, digits, '_', '-' and '.')");
    std::string full;
    if (section.empty()) {
      if (key.find('.') == std::string::npos)
        fail("key '" + key + "' outside a section: put it under a [section] or write 'section." +
             key + "'");
      full = key;
    } else {
      full = section + "." + key;
    }
    auto it = ini.lines.find(full);
    if (it != ini.lines.end())
      fail("duplicate key '" + full + "' (first set on line " + std::to_string(it->second) + ")");
    ini.values[full] = value;
    ini.lines[full] = line_no;
  }
  return ini;
}

IniFile parse_ini(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw DataError(path + ": no such file");
  if (fs::is_directory(path, ec)) throw DataError(path + ": is a directory, not an INI file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw DataError(path + ": read error");
  return parse_ini_text(text.str(), path);
}

}  // namespace moesim
