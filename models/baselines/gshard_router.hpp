// GShard top-2 gating (Lepikhin et al. 2020, "GShard", Algorithm 1; lingvo's
// Top2GatingOnLogits with its default legacy_mtf_behavior): p = softmax(x·W_g);
// e1 = argmax p, e2 = argmax of p without e1 (ties → lowest index);
// g1 = p_e1 / (p_e1 + p_e2), g2 = p_e2 / (p_e1 + p_e2), normalised before any
// dropping and not renormalised afterwards. Random routing: the second
// expert is dispatched only if u < g2 / router.second_threshold, u ~ U[0,1)
// (threshold 0.5 is the paper's "2·g2 > random()"), i.e. with probability
// min(1, g2 / threshold); u comes from Philox (seed, kRouterNoise + layer,
// counter step·2^32 + token), in training and evaluation alike (as
// mesh-tensorflow's defaults); router.second_policy = all dispatches it always.
// Capacity C = ceil(cf · T · 2 / E): first choices claim slots in token order,
// then second choices continue each expert's count; overflow is dropped.
// aux_loss = E · Σ_e f_e · P_e with f_e from the first choice only; z-loss reported.
#pragma once
#include "models/baselines/learned_gate_router.hpp"
#include "models/baselines/topk_assignment.hpp"

namespace moesim {

class GShardRouter : public LearnedGateRouter {
 public:
  explicit GShardRouter(const RouterSpec& spec);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;

  // Whether a second choice with normalised gate g2 is dispatched for draw u.
  static bool second_dispatched(double g2_normalized, double u, double threshold) {
    return u < g2_normalized / threshold;
  }

 private:
  bool random_policy_ = true;
  double threshold_ = 0.5;
  TokenChoices top2_;            // e1, e2 of every token (before random dropping)
  std::vector<int> first_;       // [T] e1, for the aux loss
};

}  // namespace moesim
