// Registers every built-in router, expert family, dataset and preset, and
// declares their configuration keys. Called by the CLI and by the tests.
#pragma once

namespace moesim {
class Registry;
class ConfigSchema;

void register_builtins(Registry& registry, ConfigSchema& schema);

}  // namespace moesim
