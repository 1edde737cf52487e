// Helpers shared by the second set of baseline routers (soft_moe, base,
// aux_free, null_experts, topany, hierarchical): capacity assignment in the
// vmoe order of check_values.md C, router z-loss, Switch/GShard balance loss,
// entropy, and reading / validating `router.*` keys. Everything lives in
// moesim::extra_routing so that it never collides with the first router set.
// All reductions run serially in index order: results do not depend on the
// thread count (DESIGN.md §5).
#pragma once
#include "core/tensor.hpp"
#include "moe/dispatch.hpp"
#include "moe/router.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace moesim::extra_routing {

// One routing choice of a token, in preference order (rank 0 first).
struct Choice {
  int expert;
  float weight;
};

// Assigns slots with capacity per expert, vmoe order: rank 0 of every token
// (tokens in index order), then rank 1, ... A choice finding its expert full is
// dropped (counted in tokens_dropped). Fills d.assignments (sorted by token,
// then rank), d.tokens_dropped, d.expert_load [E] (kept tokens per expert),
// d.top_expert [T] (expert of the largest kept weight, -1 if none), d.capacity.
// index[t][r] = position of choice r of token t in d.assignments, or -1 if dropped.
void assign_with_capacity(const std::vector<std::vector<Choice>>& choices, int experts,
                          int capacity, Dispatch& d, std::vector<std::vector<int>>& index);

// z-loss (ST-MoE, Zoph et al. 2022) = mean over rows of (log Σ_e exp(logit))²,
// over columns [col_begin, col_end) of each row.
double z_loss(const HostMatrix& logits, int col_begin = 0, int col_end = -1);
// d_logits += coef * d z_loss / d logits (same column range).
void z_loss_grad(const HostMatrix& logits, double coef, HostMatrix& d_logits, int col_begin = 0,
                 int col_end = -1);
// Per-row column ranges (for a z-loss over each token's own group of columns).
double z_loss_rows(const HostMatrix& logits, const std::vector<int>& begin, int width);
void z_loss_rows_grad(const HostMatrix& logits, const std::vector<int>& begin, int width,
                      double coef, HostMatrix& d_logits);

// Entropy (nats) of a probability vector (zeros contribute 0).
double entropy(const double* p, int n);

// log Σ exp over a strided row.
double logsumexp(const float* v, int n);

inline double sigmoid(double a) { return 1.0 / (1.0 + std::exp(-a)); }

// Reading router.* keys: the default when spec.config is null or the key is
// absent from the configuration.
std::int64_t key_int(const RouterSpec& spec, const std::string& key, std::int64_t fallback);
double key_real(const RouterSpec& spec, const std::string& key, double fallback);
bool key_bool(const RouterSpec& spec, const std::string& key, bool fallback);

// router.gate_init_std (shared with the first router set), default 0.02.
double gate_std(const RouterSpec& spec);
// d_model >= 1, experts >= 1, capacity_factor > 0 (UsageError naming the model.* key).
void validate_spec(const RouterSpec& spec);

// Throws UsageError "KEY: value V is not accepted (accepted: WHAT)" unless ok.
void require(bool ok, const std::string& key, const std::string& value, const std::string& accepted);
std::string to_text(double v);

}  // namespace moesim::extra_routing
