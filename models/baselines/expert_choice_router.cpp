#include "models/baselines/expert_choice_router.hpp"

#include "models/baselines/router_config.hpp"
#include "models/baselines/topk_assignment.hpp"

#include <algorithm>

namespace moesim {

namespace {
const RouterSpec& checked(const RouterSpec& spec) {
  validate_router_spec(spec, "expert_choice", /*uses_top_k=*/true);
  return spec;
}
}  // namespace

ExpertChoiceRouter::ExpertChoiceRouter(const RouterSpec& spec)
    : LearnedGateRouter(checked(spec), "expert_choice") {}

Dispatch ExpertChoiceRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  Dispatch d;
  d.z_loss = score(x, ctx);
  const int tokens = static_cast<int>(x.extent(0));
  const int capacity =
      std::min(tokens, expert_capacity(spec_.capacity_factor, tokens, spec_.top_k, spec_.num_experts));
  expert_choice_assign(probs_, capacity, dropped_, d);
  d.choices = spec_.top_k;
  d.aux_loss = 0.0;
  d.routing_entropy = mean_row_entropy(probs_);
  return d;
}

void ExpertChoiceRouter::backward(const HostMatrix& x, const Dispatch& dispatch,
                                  const DispatchGrad& grad, double aux_coef, double z_coef,
                                  HostMatrix& dx) {
  // weight = score = probs: dL/dprobs is dL/dweight where assigned.
  const auto d_probs = weight_grad_matrix(dispatch, grad);
  backward_from_probs(x, d_probs, z_coef, dx);
}

}  // namespace moesim
