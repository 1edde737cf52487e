// Registers the Bio-MoE parts (issue 6): routers `refractory` and `chemical`
// (substrate "bio", keys bio.*) and the expert family `spiking` (keys spiking.*).
#pragma once

namespace moesim {

class Registry;
class ConfigSchema;

void register_bio_moe(Registry& registry, ConfigSchema& schema);

}  // namespace moesim
