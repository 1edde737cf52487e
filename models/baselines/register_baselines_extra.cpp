#include "models/baselines/register_baselines_extra.hpp"

#include "config/config.hpp"
#include "core/registry.hpp"
#include "models/baselines/aux_free_router.hpp"
#include "models/baselines/base_router.hpp"
#include "models/baselines/hierarchical_router.hpp"
#include "models/baselines/null_experts_router.hpp"
#include "models/baselines/soft_moe_router.hpp"
#include "models/baselines/topany_router.hpp"

#include <memory>

namespace moesim {

namespace {
KeySpec key(const char* name, KeyType type, const char* def, const char* help,
            std::optional<double> min = std::nullopt, std::optional<double> max = std::nullopt) {
  KeySpec k;
  k.key = name;
  k.type = type;
  k.default_value = def;
  k.help = help;
  k.min = min;
  k.max = max;
  return k;
}

template <class R>
Registry::RouterFactory factory() {
  return [](const RouterSpec& spec) -> RouterPtr { return std::make_unique<R>(spec); };
}
}  // namespace

void register_extra_routers(Registry& registry, ConfigSchema& schema) {
  const struct {
    const char* name;
    const char* description;
    Registry::RouterFactory make;
  } routers[] = {
      {"soft_moe", "Soft MoE (Puigcerver et al. 2023): slots take softmax-weighted mixes of all tokens",
       factory<SoftMoERouter>()},
      {"base", "BASE layers with Sinkhorn balanced assignment (Lewis et al. 2021; S-BASE, Clark et al. 2022)",
       factory<BaseRouter>()},
      {"aux_free", "Auxiliary-loss-free balancing: sigmoid gate, per-expert selection bias (DeepSeek-V3)",
       factory<AuxFreeRouter>()},
      {"null_experts", "AdaMoE null experts: top-k over real + null experts, adaptive compute (Zeng et al. 2024)",
       factory<NullExpertsRouter>()},
      {"topany", "DynMoE top-any gating: cosine scores vs trainable per-expert thresholds (Guo et al. 2024)",
       factory<TopAnyRouter>()},
      {"hierarchical", "Hierarchical MoE: top-1 group gate, then top-k expert gate within it (Shazeer et al. 2017)",
       factory<HierarchicalRouter>()},
  };
  for (const auto& r : routers) {
    registry.add_router(r.name, r.description, r.make);
    if (schema.find("model.router")) schema.add_choice("model.router", r.name);
  }

  schema.declare(key("router.slots_per_expert", KeyType::Int, "0",
                     "soft_moe: slots per expert; 0 = round(capacity_factor * train.batch_size / experts), at least 1",
                     0.0));
  schema.declare(key("router.soft_normalize", KeyType::Bool, "false",
                     "soft_moe: l2-normalise tokens and slot parameters, with a learned scale (paper 2.3)"));
  schema.declare(key("router.sinkhorn_iters", KeyType::Int, "10",
                     "base: maximum Sinkhorn iterations of the balanced assignment", 1.0));
  schema.declare(key("router.sinkhorn_tol", KeyType::Real, "0.001",
                     "base: stop Sinkhorn when every expert's share is within this relative error of T/E",
                     0.0));
  schema.declare(key("router.bias_update_rate", KeyType::Real, "0.001",
                     "aux_free: bias step u in b_e += u * sign(mean load - load_e) after each training step",
                     0.0));
  schema.declare(key("router.null_experts", KeyType::Int, "",
                     "null_experts: number of null (no-op) experts; unset = model.experts", 0.0));
  schema.declare(key("router.topany_efficiency_weight", KeyType::Real, "1",
                     "topany: weight of the efficiency loss (mean activation) inside aux_loss", 0.0));
  schema.declare(key("router.topany_diversity_weight", KeyType::Real, "1",
                     "topany: weight of the diverse-and-simple expert embedding loss inside aux_loss", 0.0));
  schema.declare(key("router.groups", KeyType::Int, "2",
                     "hierarchical: number of expert groups (must divide model.experts)", 1.0));
}

}  // namespace moesim
