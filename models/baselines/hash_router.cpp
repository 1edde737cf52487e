#include "models/baselines/hash_router.hpp"

#include "core/philox.hpp"
#include "models/baselines/router_config.hpp"
#include "models/baselines/topk_assignment.hpp"

namespace moesim {

HashRouter::HashRouter(const RouterSpec& spec) : spec_(spec) {
  validate_router_spec(spec, "hash", /*uses_top_k=*/false);
}

int HashRouter::expert_of(std::uint64_t token_id) const {
  // Same key convention as parameter initialisation: the hash is part of the
  // model's (fixed) initial state.
  const PhiloxKey key{spec_.seed, streams::kInit + (hash_salt(spec_.layer) << 8)};
  return static_cast<int>(Philox::below(key, token_id, static_cast<std::uint64_t>(spec_.num_experts)));
}

Dispatch HashRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  const int tokens = static_cast<int>(x.extent(0));
  TokenChoices c;
  c.tokens = tokens;
  c.k = 1;
  c.expert.resize(tokens);
  c.weight.assign(tokens, 1.0f);
  c.priority.assign(tokens, 1.0f);
  for (int t = 0; t < tokens; ++t)
    c.expert[t] = expert_of(ctx.token_ids ? ctx.token_ids[t] : static_cast<std::uint64_t>(t));
  Dispatch d;
  assign_slots(c, spec_.num_experts,
               expert_capacity(spec_.capacity_factor, tokens, 1, spec_.num_experts),
               SlotOrder::TokenOrder, d);
  d.aux_loss = 0.0;
  d.z_loss = 0.0;
  d.routing_entropy = 0.0;  // a deterministic one-hot choice
  return d;
}

}  // namespace moesim
