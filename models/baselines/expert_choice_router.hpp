// Expert Choice routing (Zhou et al. 2022, "Mixture-of-Experts with Expert
// Choice Routing"): scores S = softmax over experts of x · W_g per token; each
// expert takes its C highest-scoring tokens, C = min(T, ceil(cf · T · k / E))
// (k = model.top_k, the paper's average experts per token), listed highest
// first, ties → lowest token index. Combine weight = the score. A token may get
// 0..E experts; tokens_dropped counts tokens that no expert took. No
// load-balancing loss (balance is by construction); the z-loss is reported.
#pragma once
#include "models/baselines/learned_gate_router.hpp"

namespace moesim {

class ExpertChoiceRouter : public LearnedGateRouter {
 public:
  explicit ExpertChoiceRouter(const RouterSpec& spec);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
};

}  // namespace moesim
