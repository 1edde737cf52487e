// Expert dropout (model.expert_dropout = p): during training each expert is
// removed from routing for a whole step with probability p, by setting its
// logit to -inf before selection, so the router learns not to rely on any one
// expert. Draws come from Philox (seed, streams::kExpertDropout + layer,
// counter step·E + e): the same for every thread count. One implementation,
// used by every learned-gate baseline router.
#pragma once
#include "moe/router.hpp"

#include <vector>

namespace moesim {

class ExpertDropout {
 public:
  // Reads model.expert_dropout from spec.config when present (default 0).
  explicit ExpertDropout(const RouterSpec& spec);

  double probability() const { return probability_; }

  // dropped[e] for this step (all 0 outside training or with p = 0). If the
  // draw would drop every expert, none is dropped: a step must route somewhere.
  std::vector<char> mask(int experts, const RouteContext& ctx) const;

  // Sets logits(:, e) = -inf for every dropped expert; returns the mask.
  std::vector<char> apply(HostMatrix& logits, const RouteContext& ctx) const;

 private:
  double probability_ = 0.0;
  std::uint64_t seed_ = 0;
  int layer_ = 0;
};

}  // namespace moesim
