// Softmax top-k routing. `topk` is Mixtral's rule (Jiang et al. 2024,
// "Mixtral of Experts"): softmax over all experts, keep the k largest, combine
// weights renormalised over those k. The same class, configured, is Switch's
// top-1 (switch_router.hpp) and V-MoE's batch-prioritized routing
// (batch_prioritized_router.hpp). Capacity C = ceil(cf · T · k / E); choices
// beyond C are dropped (vmoe order: all first choices, then second choices).
// aux_loss = E · Σ_e f_e · P_e with f_e counting all k choices before capacity
// (Hugging Face Mixtral's load_balancing_loss_func); z_loss of the logits.
#pragma once
#include "models/baselines/learned_gate_router.hpp"
#include "models/baselines/topk_assignment.hpp"

namespace moesim {

struct TopKOptions {
  std::string name = "topk";  // registered name, also the parameter prefix
  int k = 1;
  SlotOrder order = SlotOrder::TokenOrder;
  bool renormalize = true;  // weights p_j / Σ_chosen p (Mixtral) or p_j as is (Switch, V-MoE)
};

class TopKRouter : public LearnedGateRouter {
 public:
  TopKRouter(const RouterSpec& spec, const TopKOptions& options);
  // The `topk` router: k = model.top_k, token order, renormalised.
  explicit TopKRouter(const RouterSpec& spec);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;

 private:
  TopKOptions options_;
  TokenChoices choices_;  // of the last forward (before capacity)
};

}  // namespace moesim
