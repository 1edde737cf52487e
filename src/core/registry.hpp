// Maps the names used in a configuration to factories. Adding a substrate is
// one folder plus one registration call; nothing else changes. The registry is
// an object passed around (no hidden global): the CLI and the tests build one
// with register_builtins() (models/register_models.hpp).
#pragma once
#include "moe/expert_bank.hpp"
#include "moe/router.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace moesim {

class ConfigSchema;

class Registry {
 public:
  using RouterFactory = std::function<RouterPtr(const RouterSpec&)>;
  using ExpertFactory = std::function<ExpertBankPtr(const ExpertSpec&)>;

  struct Entry {
    std::string description;  // one line, for `moesim list`
  };

  void add_router(const std::string& name, const std::string& description, RouterFactory f);
  void add_experts(const std::string& name, const std::string& description, ExpertFactory f);
  void add_dataset(const std::string& name, const std::string& description);
  void add_preset(const std::string& name, const std::string& description);

  RouterPtr make_router(const std::string& name, const RouterSpec& spec) const;  // UsageError if unknown
  ExpertBankPtr make_experts(const std::string& name, const ExpertSpec& spec) const;

  bool has_router(const std::string& name) const { return routers_.count(name) > 0; }
  // name -> description, sorted by name.
  std::map<std::string, std::string> list(const std::string& kind) const;  // routers|experts|datasets|presets

 private:
  std::map<std::string, std::pair<std::string, RouterFactory>> routers_;
  std::map<std::string, std::pair<std::string, ExpertFactory>> experts_;
  std::map<std::string, std::string> datasets_;
  std::map<std::string, std::string> presets_;
};

}  // namespace moesim
