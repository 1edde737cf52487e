// Dense MoE (Jacobs et al. 1991, "Adaptive Mixtures of Local Experts"; the
// "dense" baseline of Shazeer et al. 2017): every token goes to every expert
// with combine weight softmax(x · W_g), capacity = T so nothing is dropped.
// Experts removed by expert dropout receive no tokens that step. No
// load-balancing loss; the z-loss is reported.
#pragma once
#include "models/baselines/learned_gate_router.hpp"

namespace moesim {

class DenseRouter : public LearnedGateRouter {
 public:
  explicit DenseRouter(const RouterSpec& spec);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
};

}  // namespace moesim
