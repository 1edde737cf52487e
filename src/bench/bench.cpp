#include "bench/bench.hpp"

#include "bench/moe_layer_bench.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace moesim {

namespace {
using BenchFn = std::function<void(const Registry&, const Config&, bool, std::ostream&)>;

const std::map<std::string, BenchFn>& benchmarks() {
  static const std::map<std::string, BenchFn> all = {
      {"moe_layer",
       [](const Registry& r, const Config& c, bool json, std::ostream& out) {
         bench_moe_layer(r, c, MoeLayerShape{}).print(out, json);
       }},
  };
  return all;
}
}  // namespace

std::vector<std::string> benchmark_names() {
  std::vector<std::string> names;
  for (const auto& [n, _] : benchmarks()) names.push_back(n);
  return names;
}

void run_benchmarks(const Registry& registry, const ConfigSchema& schema,
                    const std::vector<std::string>& names, bool json, std::ostream& out) {
  const auto& all = benchmarks();
  for (const auto& n : names)
    if (!all.count(n)) {
      std::string accepted;
      for (const auto& [k, _] : all) accepted += (accepted.empty() ? "" : ", ") + k;
      throw UsageError("bench: unknown benchmark '" + n + "' (accepted: " + accepted + ")");
    }
  const Config defaults = Config::resolve(schema, std::nullopt, {});
  for (const auto& [name, fn] : all)
    if (names.empty() || std::find(names.begin(), names.end(), name) != names.end())
      fn(registry, defaults, json, out);
}

}  // namespace moesim
