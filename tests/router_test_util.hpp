// Helpers shared by the router tests: a Config over every built-in key for one
// variant, and the message of the UsageError a call throws.
#pragma once
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "models/register_models.hpp"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace moesim::testing {

// The built-in schema (every registered key), built once.
inline const ConfigSchema& builtin_schema() {
  static const ConfigSchema schema = [] {
    ConfigSchema s;
    Registry r;
    register_builtins(r, s);
    return s;
  }();
  return schema;
}

// Config resolved from `overrides` plus experiment.variants = variant.
inline Config variant_config(const std::string& variant,
                             std::vector<std::pair<std::string, std::string>> overrides) {
  overrides.emplace_back("experiment.variants", variant);
  return Config::resolve(builtin_schema(), std::nullopt, overrides);
}

// What f's UsageError says, or "(no UsageError)".
inline std::string usage_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no UsageError)";
}

}  // namespace moesim::testing
