// Batch-prioritized routing of V-MoE (Riquelme et al. 2021, "Scaling Vision
// with Sparse Mixture of Experts", §4.1): softmax top-k with k = model.top_k,
// combine weights = the softmax probabilities as they are (V-MoE does not
// renormalise), but slots are handed out to tokens in decreasing order of
// their top gate (ties → lowest index), first choices before second choices,
// so that low-confidence tokens are the ones dropped under tight capacity.
// Losses as the topk router (E · Σ f·P over all k choices, z-loss).
#pragma once
#include "models/baselines/topk_router.hpp"

namespace moesim {

class BatchPrioritizedRouter : public TopKRouter {
 public:
  explicit BatchPrioritizedRouter(const RouterSpec& spec);
};

}  // namespace moesim
