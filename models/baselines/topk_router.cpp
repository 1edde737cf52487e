#include "models/baselines/topk_router.hpp"

#include "models/baselines/router_config.hpp"
#include "models/baselines/router_losses.hpp"

namespace moesim {

namespace {
const RouterSpec& checked(const RouterSpec& spec, const TopKOptions& o) {
  validate_router_spec(spec, o.name, /*uses_top_k=*/o.k == spec.top_k);
  return spec;
}
TopKOptions topk_defaults(const RouterSpec& spec) {
  TopKOptions o;
  o.name = "topk";
  o.k = spec.top_k;
  return o;
}
}  // namespace

TopKRouter::TopKRouter(const RouterSpec& spec, const TopKOptions& options)
    : LearnedGateRouter(checked(spec, options), options.name), options_(options) {}

TopKRouter::TopKRouter(const RouterSpec& spec) : TopKRouter(spec, topk_defaults(spec)) {}

Dispatch TopKRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  Dispatch d;
  d.z_loss = score(x, ctx);
  const int k = options_.k;
  choices_ = select_top_k(probs_, k);
  // priority stays the raw top probability (BPR sorts by the top gate).
  if (options_.renormalize)
    for (int t = 0; t < choices_.tokens; ++t) {
      double sum = 0.0;
      for (int j = 0; j < k; ++j) sum += choices_.weight[t * k + j];
      for (int j = 0; j < k; ++j)
        if (choices_.expert[t * k + j] >= 0)
          choices_.weight[t * k + j] = static_cast<float>(choices_.weight[t * k + j] / sum);
    }
  const int capacity = expert_capacity(spec_.capacity_factor, choices_.tokens, k, spec_.num_experts);
  assign_slots(choices_, spec_.num_experts, capacity, options_.order, d);
  d.aux_loss = load_balancing_loss(probs_, choices_.expert, k);
  d.routing_entropy = mean_row_entropy(probs_);
  return d;
}

void TopKRouter::backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                          double aux_coef, double z_coef, HostMatrix& dx) {
  const auto d_w = weight_grad_matrix(dispatch, grad);
  HostMatrix d_probs("router.d_probs", d_w.extent(0), d_w.extent(1));
  const int k = options_.k;
  for (int t = 0; t < choices_.tokens; ++t) {
    const int* chosen = &choices_.expert[static_cast<std::size_t>(t) * k];
    if (options_.renormalize) {
      add_renormalized_grad(t, chosen, k, d_w, d_probs);
    } else {
      for (int j = 0; j < k; ++j)
        if (chosen[j] >= 0) d_probs(t, chosen[j]) += d_w(t, chosen[j]);
    }
  }
  load_balancing_loss_grad(probs_, choices_.expert, k, aux_coef, d_probs);
  backward_from_probs(x, d_probs, z_coef, dx);
}

}  // namespace moesim
