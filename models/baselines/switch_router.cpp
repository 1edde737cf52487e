#include "models/baselines/switch_router.hpp"

namespace moesim {

namespace {
TopKOptions switch_options() {
  TopKOptions o;
  o.name = "switch";
  o.k = 1;
  o.order = SlotOrder::TokenOrder;
  o.renormalize = false;
  return o;
}
}  // namespace

SwitchRouter::SwitchRouter(const RouterSpec& spec) : TopKRouter(spec, switch_options()) {}

}  // namespace moesim
