// `moesim bench [NAME...] [--json] [--set key=value]...`: kernel benchmarks,
// each reporting a ratio against a peer or a limit measured in the same run
// (DESIGN.md §3). The engine's own benchmarks (moe_layer) are registered by
// register_core_benchmarks(); substrates register theirs from models/ through
// Registry::add_benchmark.
#pragma once
#include "core/registry.hpp"

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace moesim {

class ConfigSchema;

void register_core_benchmarks(Registry& registry);

// Registered benchmark names, sorted.
std::vector<std::string> benchmark_names(const Registry& registry);
// Checks names and options as run_benchmarks does, without running anything.
void validate_benchmarks(const Registry& registry, const std::vector<std::string>& names,
                         const std::map<std::string, std::string>& options);
// Runs the named benchmarks (all if empty). `options` are `--set key=value`
// pairs; each key must be declared by every named benchmark that is run
// (UsageError naming the key and the accepted ones otherwise), and options
// need explicit names. Throws UsageError for unknown names.
void run_benchmarks(const Registry& registry, const ConfigSchema& schema,
                    const std::vector<std::string>& names, bool json, std::ostream& out,
                    const std::map<std::string, std::string>& options = {});

// Typed access to a benchmark option, with `fallback` when it is not set.
// UsageError naming `bench <name>: key` and the expected form on bad values.
std::vector<std::int64_t> bench_option_ints(const Registry::BenchmarkContext& ctx, const std::string& bench,
                                            const std::string& key, std::vector<std::int64_t> fallback);
std::int64_t bench_option_int(const Registry::BenchmarkContext& ctx, const std::string& bench,
                              const std::string& key, std::int64_t fallback);
std::string bench_option_string(const Registry::BenchmarkContext& ctx, const std::string& key,
                                std::string fallback);

}  // namespace moesim
