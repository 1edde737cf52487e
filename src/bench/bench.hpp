// `moesim bench [NAME...] [--json]`: kernel benchmarks, each reporting a ratio
// against a limit measured in the same run (DESIGN.md §3).
#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace moesim {

class Registry;
class ConfigSchema;

std::vector<std::string> benchmark_names();
// Runs the named benchmarks (all if empty) with the built-in routers and
// experts of `registry` (defaults from `schema`). Throws UsageError for
// unknown names.
void run_benchmarks(const Registry& registry, const ConfigSchema& schema,
                    const std::vector<std::string>& names, bool json, std::ostream& out);

}  // namespace moesim
