// Noisy top-k gating (Shazeer et al. 2017, "Outrageously Large Neural
// Networks", §2.1 and Appendix A; tensor2tensor's noisy_top_k_gating):
//   clean = x · W_g,  σ = softplus(x · W_noise) + router.noise_epsilon,
//   noisy = clean + n · σ with n ~ N(0, 1) in training (noisy = clean in eval),
//   gates = softmax over each token's k largest noisy logits, 0 elsewhere.
// n comes from Philox (seed, kRouterNoise + layer, counter
// (step·T + token)·E + expert), so the noise is a function of the step, not of
// the thread count. aux_loss = CV²(importance) + CV²(load), importance = Σ_t
// gates, load = the smooth estimator in training (Φ of the margin to the
// top-k threshold, differentiable) and the count of nonzero gates in eval,
// as t2t. Gradients reach W_g and W_noise through the gates and the load.
// Capacity C = ceil(cf · T · k / E) with token-order dropping; z-loss of clean.
#pragma once
#include "models/baselines/learned_gate_router.hpp"
#include "models/baselines/topk_assignment.hpp"

namespace moesim {

// The gating computation alone, on given logits (check_values.md B).
struct NoisyTopKGates {
  HostMatrix gates;              // [T, E], nonzero only on each token's top k
  TokenChoices choices;          // top k of noisy, weight = gate
  std::vector<double> importance, load;
  double importance_cv2 = 0.0, load_cv2 = 0.0;
};
// smooth_load: the differentiable estimator (training) or nonzero counts (eval).
NoisyTopKGates noisy_topk_gates(const HostMatrix& clean, const HostMatrix& noisy,
                                const HostMatrix& stddev, int k, bool smooth_load);

class NoisyTopKRouter : public LearnedGateRouter {
 public:
  explicit NoisyTopKRouter(const RouterSpec& spec);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
  ParameterList parameters() override { return {&gate_.weight(), &noise_gate_.weight()}; }
  double forward_flops(int tokens) const override;

 private:
  LinearGate noise_gate_;   // W_noise
  double noise_epsilon_;
  int k_;
  HostMatrix raw_noise_;    // x · W_noise
  HostMatrix noise_;        // n ~ N(0, 1), unscaled
  HostMatrix stddev_;       // σ
  HostMatrix noisy_;        // clean + n · σ
  NoisyTopKGates gating_;
};

}  // namespace moesim
