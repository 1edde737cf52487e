// Registers the `stigmergic` router and declares its stigmergy.* keys.
#pragma once

namespace moesim {

class Registry;
class ConfigSchema;

void register_stigmergic_router(Registry& registry, ConfigSchema& schema);

}  // namespace moesim
