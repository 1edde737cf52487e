// Configuration of the digital FFN expert families (keys `experts.*`), parsed
// and validated in one place so that every family reads them the same way.
#pragma once
#include "backends/reference/activations.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace moesim {

class Config;

inline constexpr const char* kKeyExpertsActivation = "experts.activation";
inline constexpr const char* kKeyExpertsRank = "experts.rank";
inline constexpr const char* kDefaultExpertActivation = "gelu";

// The values experts.activation accepts: relu, gelu (exact erf, the default),
// gelu_tanh (tanh approximation), swiglu.
const std::vector<std::string>& expert_activation_choices();

// Name -> Activation; throws UsageError naming experts.activation, the value
// and the accepted values.
Activation parse_expert_activation(const std::string& value);

// experts.rank -> the rank used: 0 means max(1, d_ff / 8); negative throws
// UsageError naming experts.rank.
int resolve_expert_rank(std::int64_t requested, int d_ff);

struct ExpertOptions {
  Activation activation = Activation::Gelu;
  std::int64_t rank = 0;  // as configured (0 = default d_ff / 8)
};

// Reads experts.activation and experts.rank from config (defaults when config
// is null or a key is absent) and validates them.
ExpertOptions read_expert_options(const Config* config);

}  // namespace moesim
