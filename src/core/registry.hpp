// Maps the names used in a configuration to factories. Adding a substrate is
// one folder plus one registration call; nothing else changes. The registry is
// an object passed around (no hidden global): the CLI and the tests build one
// with register_builtins() (models/register_models.hpp).
#pragma once
#include "moe/expert_bank.hpp"
#include "moe/router.hpp"

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace moesim {

class Config;
class ConfigSchema;
class RouterParameterOptimizer;   // train/swarm_router_training.hpp
struct RouterOptimizerRequest;

class Registry {
 public:
  using RouterFactory = std::function<RouterPtr(const RouterSpec&)>;
  using ExpertFactory = std::function<ExpertBankPtr(const ExpertSpec&)>;
  // Gradient-free optimizers of the router parameters (train.router_optimizer).
  using RouterOptimizerFactory =
      std::function<std::unique_ptr<RouterParameterOptimizer>(const RouterOptimizerRequest&)>;

  // A kernel benchmark for `moesim bench NAME` (src/bench/bench.hpp). Models
  // register theirs here because src/ may not include models/.
  struct BenchmarkContext {
    const Registry& registry;
    const Config& defaults;  // the default configuration (every key declared)
    bool json = false;
    // `--set key=value` options of `moesim bench`, already checked against the
    // benchmark's declared keys; parse with bench_option() (bench.hpp).
    std::map<std::string, std::string> options;
  };
  using BenchmarkFn = std::function<void(const BenchmarkContext&, std::ostream&)>;
  struct BenchmarkEntry {
    std::string description;
    std::map<std::string, std::string> options;  // key -> help ("qubits: comma-separated, e.g. 20,24")
    BenchmarkFn run;
  };

  struct Entry {
    std::string description;  // one line, for `moesim list`
  };

  // `substrate` names what the router runs on, for the trace's run attrs
  // (DESIGN.md §4): "digital", "stigmergy", "quantum", "crossbar", ...
  void add_router(const std::string& name, const std::string& description, RouterFactory f,
                  const std::string& substrate = "digital");
  void add_experts(const std::string& name, const std::string& description, ExpertFactory f);
  void add_dataset(const std::string& name, const std::string& description);
  void add_router_optimizer(const std::string& name, const std::string& description, RouterOptimizerFactory f);
  void add_preset(const std::string& name, const std::string& description);
  void add_benchmark(const std::string& name, BenchmarkEntry entry);
  const std::map<std::string, BenchmarkEntry>& benchmarks() const { return benchmarks_; }

  RouterPtr make_router(const std::string& name, const RouterSpec& spec) const;  // UsageError if unknown
  ExpertBankPtr make_experts(const std::string& name, const ExpertSpec& spec) const;
  // UsageError naming train.router_optimizer if unknown.
  std::unique_ptr<RouterParameterOptimizer> make_router_optimizer(const std::string& name,
                                                                  const RouterOptimizerRequest& request) const;

  bool has_router(const std::string& name) const { return routers_.count(name) > 0; }
  std::string router_substrate(const std::string& name) const;  // "digital" if unknown
  // name -> description, sorted by name.
  std::map<std::string, std::string> list(const std::string& kind) const;  // routers|experts|datasets|presets

 private:
  std::map<std::string, std::pair<std::string, RouterFactory>> routers_;
  std::map<std::string, std::pair<std::string, ExpertFactory>> experts_;
  std::map<std::string, std::pair<std::string, RouterOptimizerFactory>> router_optimizers_;
  std::map<std::string, std::string> router_substrates_;
  std::map<std::string, std::string> datasets_;
  std::map<std::string, std::string> presets_;
  std::map<std::string, BenchmarkEntry> benchmarks_;
};

}  // namespace moesim
