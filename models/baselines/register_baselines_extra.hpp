// Registers the second set of baseline routers (soft_moe, base, aux_free,
// null_experts, topany, hierarchical) and declares their router.* keys.
#pragma once

namespace moesim {
class Registry;
class ConfigSchema;

void register_extra_routers(Registry& registry, ConfigSchema& schema);

}  // namespace moesim
