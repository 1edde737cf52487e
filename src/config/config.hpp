// Configuration: a schema of declared keys (type, default, accepted values,
// help) and the effective, validated values of one run. Sources in order of
// precedence: --set / command-line options, then the INI file (--config), then
// defaults. `[section] key = v` in the INI becomes `section.key`;
// `[variant.NAME]` sections become `variant.NAME.key` and override keys for
// that variant alone. Every key is validated before any work starts; errors
// throw UsageError naming the key, the value and what is accepted.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace moesim {

enum class KeyType { Int, Real, Bool, String, Choice, List, IntList, Path };

struct KeySpec {
  std::string key;            // "model.top_k"
  KeyType type = KeyType::String;
  std::string default_value;  // as text; "" = no default (optional key)
  std::string help;           // one line
  std::optional<double> min, max;  // inclusive bounds for Int / Real (and each IntList element)
  bool min_exclusive = false;      // e.g. capacity_factor > 0
  bool max_exclusive = false;      // e.g. expert_dropout < 1
  std::vector<std::string> choices;  // Choice: accepted values; List: accepted elements (empty = any)
};

// Builds a KeySpec in one expression, for declare_*_keys functions.
KeySpec make_key(std::string name, KeyType type, std::string default_value, std::string help,
                 std::optional<double> min = std::nullopt, bool min_exclusive = false,
                 std::optional<double> max = std::nullopt, bool max_exclusive = false,
                 std::vector<std::string> choices = {});

class ConfigSchema {
 public:
  void declare(KeySpec spec);  // redeclaring a key replaces it
  const KeySpec* find(const std::string& key) const;
  const std::map<std::string, KeySpec>& keys() const { return keys_; }
  // Allowed elements of a Choice / List key (e.g. when routers register).
  void add_choice(const std::string& key, const std::string& value);

 private:
  std::map<std::string, KeySpec> keys_;
};

// Raw key -> value text from an INI file. Paths (KeyType::Path, resolved later)
// are relative to the file's directory. Throws UsageError (syntax, with file and
// line) or DataError (file missing / unreadable).
struct IniFile {
  std::string path;
  std::map<std::string, std::string> values;
  std::map<std::string, int> lines;  // key -> line number, for error messages
};
IniFile parse_ini(const std::string& path);
IniFile parse_ini_text(const std::string& text, const std::string& origin);

class Config {
 public:
  // Validates and merges. `overrides` are "section.key=value" pairs (later wins).
  // Unknown keys, bad types and out-of-range values throw UsageError, as do
  // names in experiment.variants that are neither routers nor sections. An
  // empty value ("key =") for a key without default leaves it unset (has() is
  // false), which is how to_ini() writes such keys.
  static Config resolve(const ConfigSchema& schema, const std::optional<IniFile>& ini,
                        const std::vector<std::pair<std::string, std::string>>& overrides);

  bool has(const std::string& key) const;  // set explicitly or has a default
  bool is_explicit(const std::string& key) const;  // set by the INI file or an override
  std::string get(const std::string& key) const;  // throws UsageError if absent
  std::int64_t get_int(const std::string& key) const;
  double get_real(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::vector<std::string> get_list(const std::string& key) const;
  std::vector<std::int64_t> get_int_list(const std::string& key) const;

  // The configuration a variant sees: the base keys with `variant.NAME.*`
  // applied. If the variant has no section, NAME must be a router and
  // model.router is set to it. Throws UsageError if NAME is neither.
  // The section's `router` (or `model.router`) sets model.router; a section
  // without one uses NAME if NAME is a router, else the base model.router.
  Config for_variant(const std::string& variant) const;
  std::vector<std::string> variant_sections() const;

  // Every key with its effective value, INI-formatted, for /config in the trace.
  std::string to_ini() const;
  // Every key: value, default and accepted values, for --print-config.
  std::string describe() const;
  const ConfigSchema& schema() const { return *schema_; }

  void set(const std::string& key, const std::string& value);  // validated

 private:
  // Validates `value` for `key` (a declared key or variant.NAME.KEY), normalises
  // it and stores it as explicit. `where` prefixes error messages ("FILE:LINE: ");
  // `base_dir` (non-empty for INI values) anchors relative Path values.
  void assign(const std::string& key, const std::string& value, const std::string& where,
              const std::string& base_dir);
  void check_variant_names() const;  // experiment.variants: routers or sections

  const ConfigSchema* schema_ = nullptr;
  std::map<std::string, std::string> values_;  // effective (explicit or default)
  std::map<std::string, bool> explicit_;        // keys set by the INI or an override
  std::map<std::string, std::string> variant_values_;  // variant.NAME.key -> value
};

}  // namespace moesim
