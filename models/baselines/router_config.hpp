// Reading and checking what a baseline router is built from: the RouterSpec
// (model.* keys resolved by the caller) and optional router.* keys of the
// Config. The CLI validates declared keys before any work starts; routers
// check again because they may be built directly (tests, other tools), and
// every error is a UsageError naming the key, the value and what is accepted.
#pragma once
#include "core/philox.hpp"
#include "moe/router.hpp"

#include <string>
#include <vector>

namespace moesim {

// d_model >= 1 (model.d_model), experts >= min_experts (model.experts),
// 1 <= top_k <= experts when uses_top_k (model.top_k), capacity_factor > 0
// (model.capacity_factor).
void validate_router_spec(const RouterSpec& spec, const std::string& router, bool uses_top_k,
                          int min_experts = 1);

// A real-valued key of spec.config, or `fallback` when there is no config or
// the key is absent; checked against [min, max] (min exclusive if asked).
double router_real(const RouterSpec& spec, const std::string& key, double fallback, double min,
                   double max, bool min_exclusive = false);
// A string key with a fixed set of accepted values.
std::string router_choice(const RouterSpec& spec, const std::string& key,
                          const std::string& fallback, const std::vector<std::string>& accepted);

// Philox key of one consumer stream for one MoE layer: the layer lives in the
// stream's upper 32 bits so layers draw independent numbers.
inline PhiloxKey layer_key(std::uint64_t seed, std::uint64_t stream, int layer) {
  return {seed, stream + (static_cast<std::uint64_t>(layer) << 32)};
}

// Parameter salts (init_normal) of the baseline routers' weights, per layer.
inline std::uint64_t gate_salt(int layer) { return 0x100 + 16 * static_cast<std::uint64_t>(layer); }
inline std::uint64_t noise_gate_salt(int layer) { return gate_salt(layer) + 1; }
inline std::uint64_t hash_salt(int layer) { return gate_salt(layer) + 2; }

}  // namespace moesim
