// Registration of the first set of baseline routers (topk, noisy_topk,
// switch, gshard, batch_prioritized, expert_choice, dense, hash) and the
// declaration of their router.* configuration keys.
#pragma once

namespace moesim {
class Registry;
class ConfigSchema;

void register_baseline_routers(Registry& registry, ConfigSchema& schema);

}  // namespace moesim
