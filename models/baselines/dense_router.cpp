#include "models/baselines/dense_router.hpp"

#include "models/baselines/router_config.hpp"
#include "models/baselines/topk_assignment.hpp"

namespace moesim {

namespace {
const RouterSpec& checked(const RouterSpec& spec) {
  validate_router_spec(spec, "dense", /*uses_top_k=*/false);
  return spec;
}
}  // namespace

DenseRouter::DenseRouter(const RouterSpec& spec) : LearnedGateRouter(checked(spec), "dense") {}

Dispatch DenseRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  Dispatch d;
  d.z_loss = score(x, ctx);
  const int tokens = static_cast<int>(x.extent(0)), experts = spec_.num_experts;
  // Every token chooses every live expert, in expert order; capacity T keeps all.
  TokenChoices all;
  all.tokens = tokens;
  all.k = experts;
  all.expert.assign(static_cast<std::size_t>(tokens) * experts, -1);
  all.weight.assign(static_cast<std::size_t>(tokens) * experts, 0.0f);
  all.priority.assign(tokens, 0.0f);
  for (int t = 0; t < tokens; ++t)
    for (int e = 0; e < experts; ++e)
      if (!dropped_[e]) {
        all.expert[static_cast<std::size_t>(t) * experts + e] = e;
        all.weight[static_cast<std::size_t>(t) * experts + e] = probs_(t, e);
      }
  assign_slots(all, experts, std::max(tokens, 1), SlotOrder::TokenOrder, d);
  d.aux_loss = 0.0;
  d.routing_entropy = mean_row_entropy(probs_);
  return d;
}

void DenseRouter::backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                           double aux_coef, double z_coef, HostMatrix& dx) {
  const auto d_probs = weight_grad_matrix(dispatch, grad);
  backward_from_probs(x, d_probs, z_coef, dx);
}

}  // namespace moesim
