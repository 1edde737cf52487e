// Soft MoE (Puigcerver, Riquelme, Mustafa, Houlsby, "From Sparse to Soft
// Mixtures of Experts", ICLR 2024, arXiv:2308.00951), as in vmoe's SoftRouter.
//
// Slot parameters Φ [d_model, E·S] (S slots per expert). logits = X·Φ [T, E·S];
// dispatch weights D = softmax over tokens of each slot column, combine weights
// C = softmax over all slots of each token row. Slot inputs = Dᵀ·X, outputs
// y_t = Σ_c C[t,c]·slot_output_c. Produces Dispatch.soft with
// dispatch [E·S, T] (= Dᵀ) and combine [T, E·S].
//
// Normalisation (paper §2.3, vmoe `normalize`): with router.soft_normalize
// tokens and Φ columns are l2-normalised, x̂ = x / sqrt(|x|²+1e-6), and
// logits = scale · x̂ · Φ̂ with a learned scalar `scale` (init 1). Default
// false: the paper uses it to keep large-d_model training stable, but with
// scale 1 the logits lie in [−1, 1], so over hundreds of tokens dispatch and
// combine start almost uniform and small models learn slowly (quickstart:
// test accuracy 0.26 with it vs 0.78 without after 30 steps).
//
// Slots per expert S: router.slots_per_expert if > 0; otherwise vmoe's rule
// S = max(1, round(capacity_factor · N / E)) with N = train.batch_size (the
// tokens of a training batch) when the configuration has it, else N = E (S = 1
// at cf = 1). S is fixed at construction because Φ's shape depends on it; any
// T works at run time.
//
// Diagnostics: aux_loss = 0 (Soft MoE has none; vmoe reports 0); z_loss =
// mean over tokens of (logsumexp over slots of the logits)²; tokens_dropped = 0;
// expert_load[e] = summed dispatch weight of e's slots (= S, every slot column
// sums to 1); top_expert = expert owning the token's largest combine weight;
// routing_entropy = mean over tokens of the entropy of the token's combine
// weights summed per expert (a distribution over E, comparable with sparse routers).
#pragma once
#include "core/parameter.hpp"
#include "moe/router.hpp"

namespace moesim {

class SoftMoERouter : public Router {
 public:
  struct Options {
    int slots_per_expert = 1;
    bool normalize = false;
  };
  static Options read_options(const RouterSpec& spec);  // validates; UsageError names the key

  explicit SoftMoERouter(const RouterSpec& spec) : SoftMoERouter(spec, read_options(spec)) {}
  SoftMoERouter(const RouterSpec& spec, const Options& options);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
  ParameterList parameters() override;
  double forward_flops(int tokens) const override;

  int slots_per_expert() const { return slots_; }
  Parameter& phi() { return phi_; }
  Parameter& scale() { return scale_; }

 private:
  int d_model_, experts_, slots_, top_k_;
  bool normalize_;
  Parameter phi_;    // [d_model, E·S]
  Parameter scale_;  // [1, 1], used only with normalisation
  // Cached by forward for backward.
  HostMatrix xn_;      // [T, d] normalised tokens (or x)
  HostMatrix phin_;    // [d, E·S] normalised Φ (or Φ)
  HostMatrix g_;       // [T, E·S] xn · phin (unscaled)
  HostMatrix logits_;  // [T, E·S]
  std::vector<float> xinv_, phiinv_;  // 1 / sqrt(|.|² + eps)
};

}  // namespace moesim
