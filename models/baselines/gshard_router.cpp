#include "models/baselines/gshard_router.hpp"

#include "core/philox.hpp"
#include "models/baselines/router_config.hpp"
#include "models/baselines/router_losses.hpp"

namespace moesim {

namespace {
const RouterSpec& checked(const RouterSpec& spec) {
  validate_router_spec(spec, "gshard", /*uses_top_k=*/false, /*min_experts=*/2);
  return spec;
}
}  // namespace

GShardRouter::GShardRouter(const RouterSpec& spec)
    : LearnedGateRouter(checked(spec), "gshard"),
      random_policy_(router_choice(spec, "router.second_policy", "random", {"random", "all"}) ==
                     "random"),
      threshold_(router_real(spec, "router.second_threshold", 0.5, 0.0, 1.0, /*min_exclusive=*/true)) {}

Dispatch GShardRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  Dispatch d;
  d.z_loss = score(x, ctx);
  top2_ = select_top_k(probs_, 2);
  const int tokens = top2_.tokens;
  first_.assign(tokens, -1);
  TokenChoices routed = top2_;
  const PhiloxKey key = layer_key(spec_.seed, streams::kRouterNoise, spec_.layer);
  for (int t = 0; t < tokens; ++t) {
    const int e1 = top2_.expert[2 * t], e2 = top2_.expert[2 * t + 1];
    first_[t] = e1;
    if (e2 < 0) {  // only one expert left after expert dropout: weight 1
      routed.weight[2 * t] = 1.0f;
      continue;
    }
    const double p1 = probs_(t, e1), p2 = probs_(t, e2);
    const double g1 = p1 / (p1 + p2), g2 = p2 / (p1 + p2);
    routed.weight[2 * t] = static_cast<float>(g1);
    routed.weight[2 * t + 1] = static_cast<float>(g2);
    if (random_policy_) {
      const double u = Philox::uniform(key, (ctx.step << 32) + static_cast<std::uint64_t>(t));
      if (!second_dispatched(g2, u, threshold_)) routed.expert[2 * t + 1] = -1;
    }
  }
  const int capacity = expert_capacity(spec_.capacity_factor, tokens, 2, spec_.num_experts);
  assign_slots(routed, spec_.num_experts, capacity, SlotOrder::TokenOrder, d);
  d.aux_loss = load_balancing_loss(probs_, first_, 1);
  d.routing_entropy = mean_row_entropy(probs_);
  return d;
}

void GShardRouter::backward(const HostMatrix& x, const Dispatch& dispatch,
                            const DispatchGrad& grad, double aux_coef, double z_coef,
                            HostMatrix& dx) {
  const auto d_w = weight_grad_matrix(dispatch, grad);
  HostMatrix d_probs("router.d_probs", d_w.extent(0), d_w.extent(1));
  // g1, g2 are p1, p2 renormalised over both choices whether or not the
  // second was dispatched (its zero d_weight then only acts through g1).
  for (int t = 0; t < top2_.tokens; ++t)
    add_renormalized_grad(t, &top2_.expert[2 * static_cast<std::size_t>(t)], 2, d_w, d_probs);
  load_balancing_loss_grad(probs_, first_, 1, aux_coef, d_probs);
  backward_from_probs(x, d_probs, z_coef, dx);
}

}  // namespace moesim
