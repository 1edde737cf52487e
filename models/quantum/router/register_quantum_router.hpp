// Registers the QS-MoE router (`quantum`), its `quantum.*` keys and the
// `statevector_batched` benchmark.
#pragma once

namespace moesim {

class Registry;
class ConfigSchema;

void register_quantum_router(Registry& registry, ConfigSchema& schema);

}  // namespace moesim
