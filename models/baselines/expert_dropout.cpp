#include "models/baselines/expert_dropout.hpp"

#include "core/philox.hpp"
#include "models/baselines/router_config.hpp"

#include <algorithm>
#include <cmath>

namespace moesim {

ExpertDropout::ExpertDropout(const RouterSpec& spec)
    : probability_(router_real(spec, "model.expert_dropout", 0.0, 0.0, 1.0, false)),
      seed_(spec.seed),
      layer_(spec.layer) {
  if (probability_ >= 1.0) probability_ = 1.0;
}

std::vector<char> ExpertDropout::mask(int experts, const RouteContext& ctx) const {
  std::vector<char> dropped(experts, 0);
  if (!ctx.training || probability_ <= 0.0) return dropped;
  const PhiloxKey key = layer_key(seed_, streams::kExpertDropout, layer_);
  for (int e = 0; e < experts; ++e)
    dropped[e] = Philox::uniform(key, ctx.step * static_cast<std::uint64_t>(experts) + e) <
                 probability_;
  if (std::all_of(dropped.begin(), dropped.end(), [](char d) { return d != 0; }))
    std::fill(dropped.begin(), dropped.end(), 0);
  return dropped;
}

std::vector<char> ExpertDropout::apply(HostMatrix& logits, const RouteContext& ctx) const {
  const int experts = static_cast<int>(logits.extent(1));
  auto dropped = mask(experts, ctx);
  for (int e = 0; e < experts; ++e)
    if (dropped[e])
      for (std::size_t t = 0; t < logits.extent(0); ++t) logits(t, e) = -INFINITY;
  return dropped;
}

}  // namespace moesim
