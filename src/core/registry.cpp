#include "core/registry.hpp"

#include "core/error.hpp"
#include "train/swarm_router_training.hpp"

namespace moesim {

namespace {
template <class Map>
std::string accepted(const Map& m) {
  std::string s;
  for (const auto& [name, _] : m) s += (s.empty() ? "" : ", ") + name;
  return s;
}
}  // namespace

void Registry::add_router(const std::string& name, const std::string& description, RouterFactory f,
                          const std::string& substrate) {
  routers_[name] = {description, std::move(f)};
  router_substrates_[name] = substrate;
}

std::string Registry::router_substrate(const std::string& name) const {
  auto it = router_substrates_.find(name);
  return it == router_substrates_.end() ? "digital" : it->second;
}
void Registry::add_experts(const std::string& name, const std::string& description,
                           ExpertFactory f) {
  experts_[name] = {description, std::move(f)};
}
void Registry::add_dataset(const std::string& name, const std::string& description) {
  datasets_[name] = description;
}
void Registry::add_router_optimizer(const std::string& name, const std::string& description,
                                    RouterOptimizerFactory f) {
  router_optimizers_[name] = {description, std::move(f)};
}
void Registry::add_preset(const std::string& name, const std::string& description) {
  presets_[name] = description;
}

void Registry::add_benchmark(const std::string& name, BenchmarkEntry entry) {
  benchmarks_[name] = std::move(entry);
}

RouterPtr Registry::make_router(const std::string& name, const RouterSpec& spec) const {
  auto it = routers_.find(name);
  if (it == routers_.end())
    throw UsageError("model.router: unknown router '" + name + "' (accepted: " + accepted(routers_) + ")");
  return it->second.second(spec);
}

ExpertBankPtr Registry::make_experts(const std::string& name, const ExpertSpec& spec) const {
  auto it = experts_.find(name);
  if (it == experts_.end())
    throw UsageError("model.expert_type: unknown expert family '" + name +
                     "' (accepted: " + accepted(experts_) + ")");
  return it->second.second(spec);
}

std::unique_ptr<RouterParameterOptimizer> Registry::make_router_optimizer(
    const std::string& name, const RouterOptimizerRequest& request) const {
  auto it = router_optimizers_.find(name);
  if (it == router_optimizers_.end())
    throw UsageError("train.router_optimizer: unknown router optimizer '" + name +
                     "' (accepted: gradient" + (router_optimizers_.empty() ? "" : ", ") +
                     accepted(router_optimizers_) + ")");
  return it->second.second(request);
}

std::map<std::string, std::string> Registry::list(const std::string& kind) const {
  std::map<std::string, std::string> out;
  if (kind == "routers")
    for (const auto& [n, e] : routers_) out[n] = e.first;
  else if (kind == "experts")
    for (const auto& [n, e] : experts_) out[n] = e.first;
  else if (kind == "datasets")
    out = datasets_;
  else if (kind == "presets")
    out = presets_;
  else
    throw UsageError("list: unknown kind '" + kind + "' (accepted: routers, experts, datasets, presets)");
  return out;
}

}  // namespace moesim
