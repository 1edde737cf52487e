#include "bench/bench.hpp"

#include "bench/moe_layer_bench.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <sstream>

namespace moesim {

void register_core_benchmarks(Registry& registry) {
  registry.add_benchmark(
      "moe_layer",
      {"MoE layer forward + backward (8192 tokens, d_model 512, d_ff 2048, 8 experts, top-2) "
       "against a plain GEMM of the same FLOPs",
       {},
       [](const Registry::BenchmarkContext& ctx, std::ostream& out) {
         bench_moe_layer(ctx.registry, ctx.defaults, MoeLayerShape{}).print(out, ctx.json);
       }});
}

std::vector<std::string> benchmark_names(const Registry& registry) {
  std::vector<std::string> names;
  for (const auto& [n, _] : registry.benchmarks()) names.push_back(n);
  return names;
}

namespace {
std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}
}  // namespace

void validate_benchmarks(const Registry& registry, const std::vector<std::string>& names,
                         const std::map<std::string, std::string>& options) {
  const auto& all = registry.benchmarks();
  for (const auto& n : names)
    if (!all.count(n))
      throw UsageError("bench: unknown benchmark '" + n + "' (accepted: " + joined(benchmark_names(registry)) + ")");
  const std::vector<std::string> selected = names.empty() ? benchmark_names(registry) : names;
  if (!options.empty() && names.empty())
    throw UsageError("bench: --set needs the benchmark named, e.g. moesim bench statevector --set qubits=20,24");
  for (const auto& n : selected) {
    const auto& declared = all.at(n).options;
    for (const auto& [k, _] : options)
      if (!declared.count(k)) {
        std::vector<std::string> keys;
        for (const auto& [dk, _h] : declared) keys.push_back(dk);
        throw UsageError("bench " + n + ": unknown option '" + k + "' (accepted: " +
                         (keys.empty() ? std::string("none") : joined(keys)) + ")");
      }
  }
}

void run_benchmarks(const Registry& registry, const ConfigSchema& schema,
                    const std::vector<std::string>& names, bool json, std::ostream& out,
                    const std::map<std::string, std::string>& options) {
  validate_benchmarks(registry, names, options);
  const auto& all = registry.benchmarks();
  const std::vector<std::string> selected = names.empty() ? benchmark_names(registry) : names;
  const Config defaults = Config::resolve(schema, std::nullopt, {});
  for (const auto& n : selected) {
    Registry::BenchmarkContext ctx{registry, defaults, json, options};
    all.at(n).run(ctx, out);
  }
}

std::vector<std::int64_t> bench_option_ints(const Registry::BenchmarkContext& ctx, const std::string& bench,
                                            const std::string& key, std::vector<std::int64_t> fallback) {
  auto it = ctx.options.find(key);
  if (it == ctx.options.end()) return fallback;
  std::vector<std::int64_t> values;
  std::stringstream ss(it->second);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size())
      throw UsageError("bench " + bench + ": " + key + " = '" + it->second +
                       "' is not a comma-separated list of integers");
    values.push_back(v);
  }
  if (values.empty())
    throw UsageError("bench " + bench + ": " + key + " is empty (expected integers, e.g. 20,24)");
  return values;
}

std::int64_t bench_option_int(const Registry::BenchmarkContext& ctx, const std::string& bench,
                              const std::string& key, std::int64_t fallback) {
  const auto v = bench_option_ints(ctx, bench, key, {fallback});
  if (v.size() != 1)
    throw UsageError("bench " + bench + ": " + key + " takes one integer, got '" + ctx.options.at(key) + "'");
  return v[0];
}

std::string bench_option_string(const Registry::BenchmarkContext& ctx, const std::string& key,
                                std::string fallback) {
  auto it = ctx.options.find(key);
  return it == ctx.options.end() ? fallback : it->second;
}

}  // namespace moesim
