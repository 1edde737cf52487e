// Registers the digital expert families (`ffn`, `lowrank_ffn`) and declares
// their configuration keys (`experts.activation`, `experts.rank`).
#pragma once

namespace moesim {
class Registry;
class ConfigSchema;

void register_expert_families(Registry& registry, ConfigSchema& schema);

}  // namespace moesim
