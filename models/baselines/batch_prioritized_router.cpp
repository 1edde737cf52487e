#include "models/baselines/batch_prioritized_router.hpp"

namespace moesim {

namespace {
TopKOptions bpr_options(const RouterSpec& spec) {
  TopKOptions o;
  o.name = "batch_prioritized";
  o.k = spec.top_k;
  o.order = SlotOrder::BatchPrioritized;
  o.renormalize = false;
  return o;
}
}  // namespace

BatchPrioritizedRouter::BatchPrioritizedRouter(const RouterSpec& spec)
    : TopKRouter(spec, bpr_options(spec)) {}

}  // namespace moesim
