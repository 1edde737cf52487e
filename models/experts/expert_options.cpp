#include "models/experts/expert_options.hpp"

#include "config/config.hpp"
#include "core/error.hpp"

#include <algorithm>

namespace moesim {

const std::vector<std::string>& expert_activation_choices() {
  static const std::vector<std::string> choices = {"relu", "gelu", "gelu_tanh", "swiglu"};
  return choices;
}

Activation parse_expert_activation(const std::string& value) {
  if (value == "relu") return Activation::Relu;
  if (value == "gelu") return Activation::Gelu;
  if (value == "gelu_tanh") return Activation::GeluTanh;
  if (value == "swiglu") return Activation::Swiglu;
  std::string accepted;
  for (const auto& c : expert_activation_choices()) accepted += (accepted.empty() ? "" : ", ") + c;
  throw UsageError(std::string(kKeyExpertsActivation) + ": unknown activation '" + value +
                   "' (accepted: " + accepted + ")");
}

int resolve_expert_rank(std::int64_t requested, int d_ff) {
  if (requested < 0)
    throw UsageError(std::string(kKeyExpertsRank) + ": value " + std::to_string(requested) +
                     " is out of range (accepted: an integer >= 0; 0 means d_ff/8)");
  if (requested == 0) return std::max(1, d_ff / 8);
  if (requested > (std::int64_t{1} << 30))
    throw UsageError(std::string(kKeyExpertsRank) + ": value " + std::to_string(requested) +
                     " is too large");
  return static_cast<int>(requested);
}

ExpertOptions read_expert_options(const Config* config) {
  ExpertOptions options;
  if (config == nullptr) return options;
  if (config->has(kKeyExpertsActivation))
    options.activation = parse_expert_activation(config->get(kKeyExpertsActivation));
  if (config->has(kKeyExpertsRank)) {
    options.rank = config->get_int(kKeyExpertsRank);
    resolve_expert_rank(options.rank, 8);  // validates the sign
  }
  return options;
}

}  // namespace moesim
