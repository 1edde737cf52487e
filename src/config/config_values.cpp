#include "config/config_values.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace moesim {

namespace {

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n\f\v";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string format_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  // The shortest text that reads back to the same value.
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// ">= 1", "> 0", "in [0, 1)", "<= 5"
std::string bounds_text(const KeySpec& spec) {
  if (spec.min && spec.max)
    return "in " + std::string(spec.min_exclusive ? "(" : "[") + format_number(*spec.min) + ", " +
           format_number(*spec.max) + (spec.max_exclusive ? ")" : "]");
  if (spec.min) return (spec.min_exclusive ? "> " : ">= ") + format_number(*spec.min);
  if (spec.max) return (spec.max_exclusive ? "< " : "<= ") + format_number(*spec.max);
  return {};
}

bool within_bounds(const KeySpec& spec, double v) {
  if (spec.min && (spec.min_exclusive ? !(v > *spec.min) : !(v >= *spec.min))) return false;
  if (spec.max && (spec.max_exclusive ? !(v < *spec.max) : !(v <= *spec.max))) return false;
  return true;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1] ? 1u : 0u)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string last_component(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

}  // namespace

bool parse_int_text(const std::string& text, std::int64_t& out) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  std::size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
  if (i == t.size()) return false;
  for (std::size_t j = i; j < t.size(); ++j)
    if (!std::isdigit(static_cast<unsigned char>(t[j]))) return false;
  errno = 0;
  const long long v = std::strtoll(t.c_str(), nullptr, 10);
  if (errno == ERANGE) return false;
  out = static_cast<std::int64_t>(v);
  return true;
}

bool parse_real_text(const std::string& text, double& out) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  // Decimal notation only: digits, sign, '.', exponent (no hex, inf or nan).
  for (char c : t)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.' ||
          c == 'e' || c == 'E'))
      return false;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || errno == ERANGE || !std::isfinite(v)) return false;
  out = v;
  return true;
}

bool parse_bool_text(const std::string& text, bool& out) {
  const std::string t = lower(trim(text));
  if (t == "true" || t == "yes" || t == "on" || t == "1") return out = true, true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return out = false, true;
  return false;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  if (trim(text).empty()) return out;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    const std::string item =
        trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (item.empty()) throw UsageError("empty element in list '" + text + "'");
    out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string accepted_text(const KeySpec& spec) {
  const std::string b = bounds_text(spec);
  switch (spec.type) {
    case KeyType::Int: return "integer" + (b.empty() ? "" : " " + b);
    case KeyType::Real: return "real number" + (b.empty() ? "" : " " + b);
    case KeyType::Bool: return "true, false";
    case KeyType::String: return "any text";
    case KeyType::Path: return "a path (relative paths in a config file: to that file)";
    case KeyType::Choice:
      return spec.choices.empty() ? std::string("any (none registered)") : join(spec.choices, ", ");
    case KeyType::List:
      return spec.choices.empty() ? std::string("comma-separated list")
                                  : "comma-separated list of: " + join(spec.choices, ", ");
    case KeyType::IntList: return "comma-separated integers" + (b.empty() ? "" : ", each " + b);
  }
  return {};
}

std::string normalize_value(const KeySpec& spec, const std::string& raw, const std::string& name) {
  const std::string value = trim(raw);
  auto fail = [&](const std::string& what) -> std::string { throw UsageError(name + ": " + what); };
  if (value.find_first_of("\r\n") != std::string::npos) fail("the value must be a single line");
  for (const char* marker : {" #", "\t#", " ;", "\t;"})
    if (value.find(marker) != std::string::npos)
      fail("'" + value + "': a value may not contain '#' or ';' after whitespace (INI comment)");
  const std::string got = ", got '" + value + "'";
  switch (spec.type) {
    case KeyType::Int: {
      std::int64_t v = 0;
      if (!parse_int_text(value, v)) fail("expected an integer" + got);
      if (!within_bounds(spec, static_cast<double>(v))) fail("must be " + bounds_text(spec) + ", got " + value);
      return std::to_string(v);
    }
    case KeyType::Real: {
      double v = 0;
      if (!parse_real_text(value, v)) fail("expected a real number" + got);
      if (!within_bounds(spec, v)) fail("must be " + bounds_text(spec) + ", got " + value);
      return value;
    }
    case KeyType::Bool: {
      bool v = false;
      if (!parse_bool_text(value, v)) fail("expected true or false" + got);
      return v ? "true" : "false";
    }
    case KeyType::String:
    case KeyType::Path: return value;
    case KeyType::Choice:
      if (!spec.choices.empty() &&
          std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end())
        fail("'" + value + "' is not accepted (accepted: " + join(spec.choices, ", ") + ")");
      if (value.empty()) fail("expected a value (accepted: " + accepted_text(spec) + ")");
      return value;
    case KeyType::List:
    case KeyType::IntList: {
      std::vector<std::string> items;
      try {
        items = split_list(value);
      } catch (const UsageError& e) {
        fail(e.what());
      }
      if (items.empty()) fail("expected at least one element (" + accepted_text(spec) + ")");
      std::vector<std::string> canon;
      for (const auto& item : items) {
        if (spec.type == KeyType::List) {
          if (!spec.choices.empty() &&
              std::find(spec.choices.begin(), spec.choices.end(), item) == spec.choices.end())
            fail("element '" + item + "' is not accepted (accepted: " + join(spec.choices, ", ") + ")");
          canon.push_back(item);
        } else {
          std::int64_t v = 0;
          if (!parse_int_text(item, v)) fail("expected comma-separated integers, got '" + item + "'");
          if (!within_bounds(spec, static_cast<double>(v)))
            fail("each element must be " + bounds_text(spec) + ", got " + std::to_string(v));
          canon.push_back(std::to_string(v));
        }
      }
      return join(canon, ",");
    }
  }
  return value;
}

std::vector<std::string> suggest_keys(const ConfigSchema& schema, const std::string& key) {
  const std::string k = lower(key), tail = lower(last_component(key));
  const std::size_t limit = std::max<std::size_t>(2, tail.size() / 3);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& [name, _] : schema.keys()) {
    const std::string n = lower(name);
    std::size_t d = edit_distance(k, n);
    // Right key name under the wrong (or no) section costs one.
    d = std::min(d, edit_distance(tail, lower(last_component(name))) + 1);
    if (d <= limit) scored.emplace_back(d, name);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (const auto& [d, name] : scored) {
    if (out.size() == 3) break;
    out.push_back(name);
  }
  return out;
}

std::string unknown_key_message(const ConfigSchema& schema, const std::string& key,
                                const std::vector<std::string>& suggestions) {
  std::string msg = "unknown key '" + key + "'";
  if (!suggestions.empty()) {
    msg += " (did you mean ";
    for (std::size_t i = 0; i < suggestions.size(); ++i) {
      if (i > 0) msg += i + 1 == suggestions.size() ? " or " : ", ";
      msg += "'" + suggestions[i] + "'";
    }
    return msg + "?)";
  }
  std::set<std::string> sections;
  for (const auto& [name, _] : schema.keys()) sections.insert(name.substr(0, name.find('.')));
  std::string list;
  for (const auto& s : sections) list += (list.empty() ? "" : ", ") + s;
  return msg + " (sections: " + list + "; `moesim run --print-config` lists every key)";
}

}  // namespace moesim
