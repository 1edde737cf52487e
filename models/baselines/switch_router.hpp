// Switch Transformer routing (Fedus et al. 2021, "Switch Transformers",
// JMLR 2022): top-1 of the softmax, combine weight = that probability (not
// renormalised, so the gate's gradient reaches the router), capacity
// C = ceil(cf · T / E) with overflow tokens dropped in token order,
// aux_loss = E · Σ_e f_e · P_e, router z-loss (ST-MoE) reported.
// model.top_k is ignored: Switch routes to one expert by definition.
#pragma once
#include "models/baselines/topk_router.hpp"

namespace moesim {

class SwitchRouter : public TopKRouter {
 public:
  explicit SwitchRouter(const RouterSpec& spec);
};

}  // namespace moesim
