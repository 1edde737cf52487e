// Top-any gating of DynMoE (Guo, Cheng, Tang, Lin, "Dynamic Mixture of
// Experts: An Auto-Tuning Approach for Efficient Transformer Models",
// arXiv:2405.14297, 2024; read against the authors' GAMoEGateT / topanygating).
//
// Scores s_te = sigmoid(cos(x_t, w_e)) with expert embeddings W [d_model, E]
// (columns l2-normalised, tokens l2-normalised, as F.normalize, eps 1e-12) and
// trainable thresholds G [1, E]: expert e is activated for token t when
// s_te > sigmoid(G_e). A token with no activated expert goes to its best
// expert (DynMoE's code does this at inference; here in training too, so that
// no token is left without an expert). Combine weights = softmax of s over the
// token's activated experts (DynMoE's code uses 1/K instead; softmax makes the
// weights differentiable in x and W). Choices are ranked by s; capacity
// ceil(cf·T·k/E), k = model.top_k (nominal), vmoe order; Dispatch.choices =
// the largest number of experts any token activated.
//
// Thresholds: the activation h = sign(relu(s − σ(G))) has no gradient;
// DynMoE passes the gradient straight through the sign (GAMoEGateBackward),
// so ∂h/∂(s − σ(G)) = 1 where active, 0 elsewhere. Writing the weights as
// w_e = h_e e^{s_e} / Σ_j h_j e^{s_j}, the straight-through gradient is
// ∂L/∂G_e = −σ'(G_e) Σ_t [e active for t, not fallback] w_te (∂L/∂w_te − Σ_i w_ti ∂L/∂w_ti).
// s itself gets the exact softmax gradient (no straight-through term).
//
// aux_loss (DynMoE's l_aux) = load balance E Σ_e me_e ce_e (me = mean weight,
// ce = fraction of tokens activating e) + router.topany_efficiency_weight ×
// efficiency (mean of h over T×E; straight-through gradient to s and G) +
// router.topany_diversity_weight × (‖Ŵᵀ Ŵ − I‖_F + mean_e ‖w_e‖) (diverse and
// simple gate loss). z_loss = mean_t (logsumexp_e cos_te)²; routing_entropy =
// mean entropy of the combine weights over the activated experts.
#pragma once
#include "core/parameter.hpp"
#include "moe/router.hpp"

#include <vector>

namespace moesim {

class TopAnyRouter : public Router {
 public:
  struct Options {
    double efficiency_weight = 1.0;
    double diversity_weight = 1.0;
  };
  static Options read_options(const RouterSpec& spec);

  explicit TopAnyRouter(const RouterSpec& spec) : TopAnyRouter(spec, read_options(spec)) {}
  TopAnyRouter(const RouterSpec& spec, const Options& options);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
  ParameterList parameters() override { return {&embed_, &threshold_}; }
  double forward_flops(int tokens) const override;

  Parameter& embeddings() { return embed_; }
  Parameter& thresholds() { return threshold_; }
  double mean_active_experts() const { return mean_active_; }
  // Scores s [T, E] of the last forward.
  const HostMatrix& scores() const { return scores_; }

 private:
  int d_model_, experts_, k_;
  double capacity_factor_;
  Options opt_;
  Parameter embed_;      // [d_model, E]
  Parameter threshold_;  // [1, E]
  HostMatrix xn_, wn_, cos_, scores_;
  std::vector<float> xnorm_, wnorm_;
  std::vector<std::vector<int>> active_;  // [T] activated experts in rank order
  std::vector<std::vector<double>> w_;    // [T] weights parallel to active_
  std::vector<std::vector<int>> index_;   // [T] assignment index or -1
  std::vector<char> fallback_;            // [T] no expert passed its threshold
  std::vector<double> ce_;                // [E] fraction of tokens activating e
  double mean_active_ = 0.0;
};

}  // namespace moesim
