#include "models/baselines/router_config.hpp"

#include "config/config.hpp"
#include "core/error.hpp"

#include <sstream>

namespace moesim {

namespace {
std::string text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
}  // namespace

void validate_router_spec(const RouterSpec& spec, const std::string& router, bool uses_top_k,
                          int min_experts) {
  const std::string who = "router '" + router + "': ";
  if (spec.d_model < 1)
    throw UsageError(who + "model.d_model = " + std::to_string(spec.d_model) +
                     " (accepted: an integer >= 1)");
  if (spec.num_experts < min_experts)
    throw UsageError(who + "model.experts = " + std::to_string(spec.num_experts) +
                     " (accepted: an integer >= " + std::to_string(min_experts) + ")");
  if (uses_top_k && (spec.top_k < 1 || spec.top_k > spec.num_experts))
    throw UsageError(who + "model.top_k = " + std::to_string(spec.top_k) +
                     " (accepted: 1 to model.experts = " + std::to_string(spec.num_experts) + ")");
  if (!(spec.capacity_factor > 0.0))
    throw UsageError(who + "model.capacity_factor = " + text(spec.capacity_factor) +
                     " (accepted: a real number > 0)");
}

double router_real(const RouterSpec& spec, const std::string& key, double fallback, double min,
                   double max, bool min_exclusive) {
  double v = fallback;
  if (spec.config && spec.config->has(key)) v = spec.config->get_real(key);
  const bool low = min_exclusive ? !(v > min) : !(v >= min);
  if (low || !(v <= max))
    throw UsageError(key + " = " + text(v) + " (accepted: a real number in " +
                     (min_exclusive ? "(" : "[") + text(min) + ", " + text(max) + "])");
  return v;
}

std::string router_choice(const RouterSpec& spec, const std::string& key,
                          const std::string& fallback, const std::vector<std::string>& accepted) {
  std::string v = fallback;
  if (spec.config && spec.config->has(key)) v = spec.config->get(key);
  std::string list;
  for (const auto& a : accepted) {
    if (a == v) return v;
    list += (list.empty() ? "" : ", ") + a;
  }
  throw UsageError(key + " = '" + v + "' (accepted: " + list + ")");
}

}  // namespace moesim
