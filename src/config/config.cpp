// Config schema, validation, precedence (overrides > INI > defaults), variants
// and the two text renderings (to_ini for the trace, describe for
// --print-config). Value checking lives in config_values.cpp.
#include "config/config.hpp"
#include "config/config_values.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

namespace moesim {

namespace {

constexpr const char* kVariantPrefix = "variant.";

// "variant.NAME.rest" -> {NAME, rest}; rest may be empty.
bool split_variant_key(const std::string& key, std::string& name, std::string& rest) {
  if (key.rfind(kVariantPrefix, 0) != 0) return false;
  const std::size_t start = std::char_traits<char>::length(kVariantPrefix);
  const auto dot = key.find('.', start);
  name = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
  rest = dot == std::string::npos ? std::string() : key.substr(dot + 1);
  return true;
}

std::string section_of(const std::string& key) { return key.substr(0, key.find('.')); }

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::vector<std::string> router_choices(const ConfigSchema& schema) {
  const KeySpec* spec = schema.find("model.router");
  return spec ? spec->choices : std::vector<std::string>{};
}

bool is_router(const ConfigSchema& schema, const std::string& name) {
  const auto choices = router_choices(schema);
  return std::find(choices.begin(), choices.end(), name) != choices.end();
}

std::string routers_text(const ConfigSchema& schema) {
  const auto choices = router_choices(schema);
  return choices.empty() ? std::string("none registered") : join(choices, ", ");
}

}  // namespace

KeySpec make_key(std::string name, KeyType type, std::string default_value, std::string help,
                 std::optional<double> min, bool min_exclusive, std::optional<double> max,
                 bool max_exclusive, std::vector<std::string> choices) {
  KeySpec s;
  s.key = std::move(name);
  s.type = type;
  s.default_value = std::move(default_value);
  s.help = std::move(help);
  s.min = min;
  s.min_exclusive = min_exclusive;
  s.max = max;
  s.max_exclusive = max_exclusive;
  s.choices = std::move(choices);
  return s;
}

// ---------------------------------------------------------------- ConfigSchema

void ConfigSchema::declare(KeySpec spec) {
  const auto& k = spec.key;
  if (k.find('.') == std::string::npos || k.front() == '.' || k.back() == '.' ||
      k.rfind(kVariantPrefix, 0) == 0)
    throw std::logic_error("ConfigSchema::declare: invalid key name '" + k +
                           "' (section.key, not variant.*)");
  keys_[k] = std::move(spec);
}

const KeySpec* ConfigSchema::find(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

void ConfigSchema::add_choice(const std::string& key, const std::string& value) {
  auto it = keys_.find(key);
  if (it == keys_.end())
    throw std::logic_error("ConfigSchema::add_choice: key '" + key + "' is not declared");
  auto& choices = it->second.choices;
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) choices.push_back(value);
}

// ---------------------------------------------------------------- Config

void Config::assign(const std::string& key, const std::string& value, const std::string& where,
                    const std::string& base_dir) {
  auto fail = [&](const std::string& msg) { throw UsageError(where + msg); };
  auto resolve_path = [&](const KeySpec& spec, std::string v) {
    if (spec.type == KeyType::Path && !v.empty() && !base_dir.empty()) {
      std::filesystem::path p(v);
      if (p.is_relative()) v = (std::filesystem::path(base_dir) / p).lexically_normal().string();
    }
    return v;
  };
  try {
    std::string name, rest;
    if (split_variant_key(key, name, rest)) {
      if (name.empty() || rest.empty())
        fail("'" + key + "': expected variant.NAME.KEY (a [variant.NAME] section)");
      if (rest == "router") {
        const KeySpec* spec = schema_->find("model.router");
        if (!spec) fail(key + ": no routers are declared (model.router is not a key)");
        if (!is_router(*schema_, value))
          fail(key + ": '" + value + "' is not a registered router (routers: " +
               routers_text(*schema_) + ")");
        variant_values_[key] = value;
        return;
      }
      if (rest.rfind("experiment.", 0) == 0 || rest.rfind(kVariantPrefix, 0) == 0)
        fail(key + ": " + section_of(rest) + ".* keys cannot be set per variant");
      const KeySpec* spec = schema_->find(rest);
      if (!spec) {
        std::vector<std::string> s = suggest_keys(*schema_, rest);
        for (auto& x : s) x = "variant." + name + "." + x;
        fail(unknown_key_message(*schema_, key, s));
      }
      variant_values_[key] = resolve_path(*spec, normalize_value(*spec, value, key));
      return;
    }
    const KeySpec* spec = schema_->find(key);
    if (!spec) fail(unknown_key_message(*schema_, key, suggest_keys(*schema_, key)));
    if (value.empty() && spec->default_value.empty()) {  // "key =": unset (as to_ini writes it)
      values_[key].clear();
      explicit_.erase(key);
      return;
    }
    values_[key] = resolve_path(*spec, normalize_value(*spec, value, key));
    explicit_[key] = true;
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    if (!where.empty() && msg.rfind(where, 0) != 0) throw UsageError(where + msg);
    throw;
  }
}

void Config::check_variant_names() const {
  if (!schema_->find("experiment.variants") || !schema_->find("model.router")) return;
  const auto sections = variant_sections();
  for (const auto& v : get_list("experiment.variants")) {
    if (std::find(sections.begin(), sections.end(), v) != sections.end()) continue;
    if (is_router(*schema_, v)) continue;
    throw UsageError("experiment.variants: '" + v + "' is neither a registered router nor a [variant." +
                     v + "] section (routers: " + routers_text(*schema_) + ")");
  }
}

Config Config::resolve(const ConfigSchema& schema, const std::optional<IniFile>& ini,
                       const std::vector<std::pair<std::string, std::string>>& overrides) {
  Config c;
  c.schema_ = &schema;
  if (ini) {
    // Report the first problem in file order.
    std::vector<std::pair<int, std::string>> order;
    for (const auto& [key, value] : ini->values) {
      auto it = ini->lines.find(key);
      order.emplace_back(it == ini->lines.end() ? 0 : it->second, key);
    }
    std::sort(order.begin(), order.end());
    const std::string dir = std::filesystem::path(ini->path).parent_path().string();
    for (const auto& [line, key] : order) {
      const std::string where = ini->path + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
      c.assign(key, ini->values.at(key), where, dir);
    }
  }
  for (const auto& [key, value] : overrides) c.assign(key, value, "", "");
  for (const auto& [key, spec] : schema.keys()) {
    if (c.explicit_.count(key)) continue;
    try {
      c.values_[key] = spec.default_value.empty() ? std::string()
                                                  : normalize_value(spec, spec.default_value, key);
    } catch (const UsageError& e) {  // a schema bug, not the user's
      throw std::logic_error(std::string("invalid default: ") + e.what());
    }
  }
  // A variant section's own `router` and its `model.router` must agree.
  for (const auto& name : c.variant_sections()) {
    auto r = c.variant_values_.find("variant." + name + ".router");
    auto m = c.variant_values_.find("variant." + name + ".model.router");
    if (r != c.variant_values_.end() && m != c.variant_values_.end() && r->second != m->second)
      throw UsageError("variant." + name + ": router = " + r->second + " but model.router = " +
                       m->second + " (set one of them)");
  }
  c.check_variant_names();
  return c;
}

bool Config::has(const std::string& key) const {
  auto it = values_.find(key);
  return it != values_.end() && !it->second.empty();
}

bool Config::is_explicit(const std::string& key) const { return explicit_.count(key) > 0; }

std::string Config::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) {
    if (schema_ && schema_->find(key)) throw UsageError(key + ": no value");
    throw UsageError("unknown key '" + key + "'");
  }
  if (it->second.empty()) throw UsageError(key + ": not set and has no default");
  return it->second;
}

std::int64_t Config::get_int(const std::string& key) const {
  std::int64_t v = 0;
  const std::string text = get(key);
  if (!parse_int_text(text, v)) throw UsageError(key + ": expected an integer, got '" + text + "'");
  return v;
}

double Config::get_real(const std::string& key) const {
  double v = 0;
  const std::string text = get(key);
  if (!parse_real_text(text, v)) throw UsageError(key + ": expected a real number, got '" + text + "'");
  return v;
}

bool Config::get_bool(const std::string& key) const {
  bool v = false;
  const std::string text = get(key);
  if (!parse_bool_text(text, v)) throw UsageError(key + ": expected true or false, got '" + text + "'");
  return v;
}

std::vector<std::string> Config::get_list(const std::string& key) const {
  auto it = values_.find(key);
  if (it != values_.end() && it->second.empty()) return {};
  return split_list(get(key));
}

std::vector<std::int64_t> Config::get_int_list(const std::string& key) const {
  std::vector<std::int64_t> out;
  for (const auto& s : get_list(key)) {
    std::int64_t v = 0;
    if (!parse_int_text(s, v)) throw UsageError(key + ": expected integers, got '" + s + "'");
    out.push_back(v);
  }
  return out;
}

std::vector<std::string> Config::variant_sections() const {
  std::set<std::string> names;
  for (const auto& [key, _] : variant_values_) {
    std::string name, rest;
    if (split_variant_key(key, name, rest)) names.insert(name);
  }
  return {names.begin(), names.end()};
}

Config Config::for_variant(const std::string& variant) const {
  if (!schema_) throw std::logic_error("Config::for_variant on a configuration without a schema");
  Config c = *this;
  const std::string prefix = kVariantPrefix + variant + ".";
  bool has_section = false, router_set = false;
  for (const auto& [key, value] : variant_values_) {
    if (key.rfind(prefix, 0) != 0) continue;
    has_section = true;
    std::string rest = key.substr(prefix.size());
    if (rest == "router") rest = "model.router";
    if (rest == "model.router") router_set = true;
    c.values_[rest] = value;
    c.explicit_[rest] = true;
  }
  if (!has_section && !is_router(*schema_, variant))
    throw UsageError("experiment.variants: '" + variant +
                     "' is neither a registered router nor a [variant." + variant +
                     "] section (routers: " + routers_text(*schema_) + ")");
  // A section without a router: named after a router, else the base model.router.
  if (!router_set && is_router(*schema_, variant)) {
    c.values_["model.router"] = variant;
    c.explicit_["model.router"] = true;
  }
  return c;
}

void Config::set(const std::string& key, const std::string& value) {
  if (!schema_) throw std::logic_error("Config::set on a configuration without a schema");
  assign(key, value, "", "");
}

std::string Config::to_ini() const {
  std::ostringstream out;
  out << "# moesim configuration: every key with its effective value\n";
  std::string section;
  for (const auto& [key, value] : values_) {
    const std::string s = section_of(key);
    if (s != section) {
      out << "\n[" << s << "]\n";
      section = s;
    }
    out << key.substr(s.size() + 1) << " = " << value << "\n";
  }
  for (const auto& name : variant_sections()) {
    const std::string prefix = kVariantPrefix + name + ".";
    out << "\n[variant." << name << "]\n";
    auto r = variant_values_.find(prefix + "router");
    if (r != variant_values_.end()) out << "router = " << r->second << "\n";
    for (const auto& [key, value] : variant_values_)
      if (key.rfind(prefix, 0) == 0 && key != prefix + "router")
        out << key.substr(prefix.size()) << " = " << value << "\n";
  }
  return out.str();
}

std::string Config::describe() const {
  std::ostringstream out;
  if (!schema_) return {};
  for (const auto& [key, value] : values_) {
    const KeySpec* spec = schema_->find(key);
    if (!spec) continue;
    out << key << " = " << value << "  (default: "
        << (spec->default_value.empty() ? std::string("none") : spec->default_value)
        << "; accepted: " << accepted_text(*spec) << ")";
    if (!spec->help.empty()) out << "  # " << spec->help;
    out << "\n";
  }
  for (const auto& [key, value] : variant_values_) {
    std::string name, rest;
    split_variant_key(key, name, rest);
    out << key << " = " << value << "  # variant " << name << "\n";
  }
  return out.str();
}

}  // namespace moesim
