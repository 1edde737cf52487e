#include "models/baselines/extra_router_util.hpp"

#include "config/config.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace moesim::extra_routing {

void assign_with_capacity(const std::vector<std::vector<Choice>>& choices, int experts,
                          int capacity, Dispatch& d, std::vector<std::vector<int>>& index) {
  const int tokens = static_cast<int>(choices.size());
  std::size_t max_rank = 0;
  for (const auto& c : choices) max_rank = std::max(max_rank, c.size());
  // slot[t][r] = slot given to choice r of token t, -1 if dropped.
  std::vector<std::vector<int>> slot(tokens);
  for (int t = 0; t < tokens; ++t) slot[t].assign(choices[t].size(), -1);
  std::vector<int> fill(experts, 0);
  d.tokens_dropped = 0;
  for (std::size_t r = 0; r < max_rank; ++r)
    for (int t = 0; t < tokens; ++t) {
      if (r >= choices[t].size()) continue;
      const int e = choices[t][r].expert;
      if (fill[e] < capacity)
        slot[t][r] = fill[e]++;
      else
        ++d.tokens_dropped;
    }
  d.capacity = capacity;
  d.num_tokens = tokens;
  d.num_experts = experts;
  d.assignments.clear();
  d.expert_load.assign(experts, 0.0);
  d.top_expert.assign(tokens, -1);
  index.assign(tokens, {});
  for (int t = 0; t < tokens; ++t) {
    index[t].assign(choices[t].size(), -1);
    float best = -1.0f;
    for (std::size_t r = 0; r < choices[t].size(); ++r) {
      if (slot[t][r] < 0) continue;
      const Choice& c = choices[t][r];
      index[t][r] = static_cast<int>(d.assignments.size());
      d.assignments.push_back({t, c.expert, slot[t][r], c.weight});
      d.expert_load[c.expert] += 1.0;
      if (c.weight > best) {  // strict: ties go to the earlier (higher-ranked) choice
        best = c.weight;
        d.top_expert[t] = c.expert;
      }
    }
  }
}

double logsumexp(const float* v, int n) {
  double m = v[0];
  for (int i = 1; i < n; ++i) m = std::max(m, double(v[i]));
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += std::exp(double(v[i]) - m);
  return m + std::log(s);
}

namespace {
int end_col(const HostMatrix& m, int col_end) {
  return col_end < 0 ? static_cast<int>(m.extent(1)) : col_end;
}
}  // namespace

double z_loss(const HostMatrix& logits, int col_begin, int col_end) {
  const int rows = static_cast<int>(logits.extent(0));
  std::vector<int> begin(rows, col_begin);
  return z_loss_rows(logits, begin, end_col(logits, col_end) - col_begin);
}

void z_loss_grad(const HostMatrix& logits, double coef, HostMatrix& d_logits, int col_begin,
                 int col_end) {
  const int rows = static_cast<int>(logits.extent(0));
  std::vector<int> begin(rows, col_begin);
  z_loss_rows_grad(logits, begin, end_col(logits, col_end) - col_begin, coef, d_logits);
}

double z_loss_rows(const HostMatrix& logits, const std::vector<int>& begin, int width) {
  const int rows = static_cast<int>(logits.extent(0));
  if (rows == 0) return 0.0;
  double sum = 0.0;
  for (int t = 0; t < rows; ++t) {
    const double l = logsumexp(&logits(t, begin[t]), width);
    sum += l * l;
  }
  return sum / rows;
}

void z_loss_rows_grad(const HostMatrix& logits, const std::vector<int>& begin, int width,
                      double coef, HostMatrix& d_logits) {
  const int rows = static_cast<int>(logits.extent(0));
  if (rows == 0 || coef == 0.0) return;
  auto lg = logits;
  auto dl = d_logits;
  const int* b = begin.data();
  // d/dlogit_j (lse²)/T = 2 lse softmax_j / T; rows are independent.
  Kokkos::parallel_for(
      "z_loss_rows_grad", Kokkos::RangePolicy<HostExec>(0, rows), [=](int t) {
        const double l = logsumexp(&lg(t, b[t]), width);
        for (int j = 0; j < width; ++j) {
          const double p = std::exp(double(lg(t, b[t] + j)) - l);
          dl(t, b[t] + j) += static_cast<float>(coef * 2.0 * l * p / rows);
        }
      });
}

double entropy(const double* p, int n) {
  double h = 0.0;
  for (int i = 0; i < n; ++i)
    if (p[i] > 0.0) h -= p[i] * std::log(p[i]);
  return h;
}

std::int64_t key_int(const RouterSpec& spec, const std::string& key, std::int64_t fallback) {
  if (spec.config == nullptr || !spec.config->has(key)) return fallback;
  return spec.config->get_int(key);
}
double key_real(const RouterSpec& spec, const std::string& key, double fallback) {
  if (spec.config == nullptr || !spec.config->has(key)) return fallback;
  return spec.config->get_real(key);
}
bool key_bool(const RouterSpec& spec, const std::string& key, bool fallback) {
  if (spec.config == nullptr || !spec.config->has(key)) return fallback;
  return spec.config->get_bool(key);
}

double gate_std(const RouterSpec& spec) {
  const double s = key_real(spec, "router.gate_init_std", 0.02);
  require(s >= 0.0 && std::isfinite(s), "router.gate_init_std", to_text(s), "a real >= 0");
  return s;
}

void validate_spec(const RouterSpec& spec) {
  require(spec.d_model >= 1, "model.d_model", std::to_string(spec.d_model), "an integer >= 1");
  require(spec.num_experts >= 1, "model.experts", std::to_string(spec.num_experts), "an integer >= 1");
  require(spec.capacity_factor > 0.0 && std::isfinite(spec.capacity_factor), "model.capacity_factor",
          to_text(spec.capacity_factor), "a real > 0");
}

std::string to_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void require(bool ok, const std::string& key, const std::string& value, const std::string& accepted) {
  if (!ok) throw UsageError(key + ": value " + value + " is not accepted (accepted: " + accepted + ")");
}

}  // namespace moesim::extra_routing
