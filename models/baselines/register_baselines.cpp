#include "models/baselines/register_baselines.hpp"

#include "config/config.hpp"
#include "core/registry.hpp"
#include "models/baselines/batch_prioritized_router.hpp"
#include "models/baselines/dense_router.hpp"
#include "models/baselines/expert_choice_router.hpp"
#include "models/baselines/gshard_router.hpp"
#include "models/baselines/hash_router.hpp"
#include "models/baselines/noisy_topk_router.hpp"
#include "models/baselines/switch_router.hpp"
#include "models/baselines/topk_router.hpp"

#include <memory>

namespace moesim {

namespace {

KeySpec real_key(const std::string& key, const std::string& def, double min, double max,
                 bool min_exclusive, const std::string& help) {
  KeySpec k;
  k.key = key;
  k.type = KeyType::Real;
  k.default_value = def;
  k.min = min;
  k.max = max;
  k.min_exclusive = min_exclusive;
  k.help = help;
  return k;
}

template <class R>
Registry::RouterFactory factory() {
  return [](const RouterSpec& spec) -> RouterPtr { return std::make_unique<R>(spec); };
}

}  // namespace

void register_baseline_routers(Registry& registry, ConfigSchema& schema) {
  registry.add_router("topk", "softmax top-k, weights renormalised over the k (Mixtral), capacity",
                      factory<TopKRouter>());
  registry.add_router("noisy_topk",
                      "noisy top-k gating with importance + smooth load CV² losses (Shazeer 2017)",
                      factory<NoisyTopKRouter>());
  registry.add_router("switch", "top-1 softmax, E·Σf·P aux loss, z-loss, capacity (Switch 2021)",
                      factory<SwitchRouter>());
  registry.add_router("gshard",
                      "top-2 with random second-expert dispatch and capacity (GShard 2020)",
                      factory<GShardRouter>());
  registry.add_router("batch_prioritized",
                      "top-k, slots given by descending top gate (V-MoE BPR, Riquelme 2021)",
                      factory<BatchPrioritizedRouter>());
  registry.add_router("expert_choice",
                      "each expert takes its top-C tokens by score (Expert Choice, Zhou 2022)",
                      factory<ExpertChoiceRouter>());
  registry.add_router("dense", "every token to every expert, softmax-weighted (dense MoE)",
                      factory<DenseRouter>());
  registry.add_router("hash", "fixed random hash of the token id to one expert (Roller 2021)",
                      factory<HashRouter>());

  schema.declare(real_key("router.gate_init_std", "0.02", 0.0, 10.0, false,
                          "standard deviation of the router gate W_g at initialisation"));
  schema.declare(real_key("router.noise_init_std", "0", 0.0, 10.0, false,
                          "noisy_topk: std of W_noise at initialisation (0 = zeros, as tensor2tensor)"));
  schema.declare(real_key("router.noise_epsilon", "0.01", 0.0, 10.0, false,
                          "noisy_topk: added to softplus(x·W_noise) for the noise std (tensor2tensor)"));
  schema.declare(real_key("router.second_threshold", "0.5", 0.0, 1.0, true,
                          "gshard: second expert dispatched with probability min(1, g2 / threshold)"));
  KeySpec policy;
  policy.key = "router.second_policy";
  policy.type = KeyType::Choice;
  policy.default_value = "random";
  policy.choices = {"random", "all"};
  policy.help = "gshard: 'random' dispatches the second expert by chance (GShard), 'all' always";
  schema.declare(policy);
}

}  // namespace moesim
