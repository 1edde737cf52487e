#include "models/baselines/topk_assignment.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace moesim {

int row_top_k(const float* row, int n, int k, int* out) {
  // Repeated selection: k is small (1, 2, a few) so this beats sorting, and
  // scanning in index order with a strict '>' keeps the lowest index on ties.
  int found = 0;
  for (; found < k; ++found) {
    int best = -1;
    for (int e = 0; e < n; ++e) {
      const float v = row[e];
      if (std::isnan(v) || v == -INFINITY) continue;
      bool taken = false;
      for (int j = 0; j < found; ++j) taken = taken || out[j] == e;
      if (taken) continue;
      if (best < 0 || v > row[best]) best = e;
    }
    if (best < 0) break;
    out[found] = best;
  }
  return found;
}

TokenChoices select_top_k(const HostMatrix& scores, int k) {
  TokenChoices c;
  c.tokens = static_cast<int>(scores.extent(0));
  c.k = k;
  const int experts = static_cast<int>(scores.extent(1));
  c.expert.assign(static_cast<std::size_t>(c.tokens) * k, -1);
  c.weight.assign(static_cast<std::size_t>(c.tokens) * k, 0.0f);
  c.priority.assign(c.tokens, 0.0f);
  int* ex = c.expert.data();
  float* w = c.weight.data();
  float* pr = c.priority.data();
  auto s = scores;
  // Each token writes only its own entries: thread-count independent.
  Kokkos::parallel_for(
      "select_top_k", Kokkos::RangePolicy<HostExec>(0, c.tokens), [=](int t) {
        const float* row = &s(t, 0);
        const int found = row_top_k(row, experts, k, ex + static_cast<std::size_t>(t) * k);
        for (int j = 0; j < found; ++j) w[static_cast<std::size_t>(t) * k + j] = row[ex[t * k + j]];
        pr[t] = found > 0 ? row[ex[static_cast<std::size_t>(t) * k]] : -INFINITY;
      });
  return c;
}

namespace {

void fill_top_expert(Dispatch& out) {
  out.top_expert.assign(out.num_tokens, -1);
  std::vector<float> best(out.num_tokens, 0.0f);
  for (const auto& a : out.assignments) {
    const int cur = out.top_expert[a.token];
    if (cur < 0 || a.weight > best[a.token] || (a.weight == best[a.token] && a.expert < cur)) {
      out.top_expert[a.token] = a.expert;
      best[a.token] = a.weight;
    }
  }
}

}  // namespace

void assign_slots(const TokenChoices& choices, int num_experts, int capacity, SlotOrder order,
                  Dispatch& out) {
  const int tokens = choices.tokens, k = choices.k;
  out.num_tokens = tokens;
  out.num_experts = num_experts;
  out.capacity = capacity;
  out.choices = k;
  out.soft = false;
  out.assignments.clear();
  out.tokens_dropped = 0;
  out.expert_load.assign(num_experts, 0.0);

  // The order in which tokens claim slots.
  std::vector<int> token_order(tokens);
  std::iota(token_order.begin(), token_order.end(), 0);
  if (order == SlotOrder::BatchPrioritized)
    std::stable_sort(token_order.begin(), token_order.end(), [&](int a, int b) {
      return choices.priority[a] > choices.priority[b];  // stable: ties keep the lower index first
    });

  // slot_of[t * k + j]: the slot of choice j of token t, -1 if dropped or none.
  std::vector<int> slot_of(static_cast<std::size_t>(tokens) * k, -1);
  std::vector<int> fill(num_experts, 0);
  for (int rank = 0; rank < k; ++rank) {  // all first choices before any second choice
    for (int t : token_order) {
      const std::size_t c = static_cast<std::size_t>(t) * k + rank;
      const int e = choices.expert[c];
      if (e < 0) continue;
      if (fill[e] < capacity)
        slot_of[c] = fill[e]++;
      else
        ++out.tokens_dropped;
    }
  }
  for (int t = 0; t < tokens; ++t)
    for (int rank = 0; rank < k; ++rank) {
      const std::size_t c = static_cast<std::size_t>(t) * k + rank;
      if (slot_of[c] < 0) continue;
      out.assignments.push_back({t, choices.expert[c], slot_of[c], choices.weight[c]});
      out.expert_load[choices.expert[c]] += 1.0;
    }
  fill_top_expert(out);
}

void expert_choice_assign(const HostMatrix& scores, int capacity,
                          const std::vector<char>& skip_expert, Dispatch& out) {
  const int tokens = static_cast<int>(scores.extent(0));
  const int experts = static_cast<int>(scores.extent(1));
  const int c = std::min(capacity, tokens);
  out.num_tokens = tokens;
  out.num_experts = experts;
  out.capacity = capacity;
  out.soft = false;
  out.assignments.clear();
  out.expert_load.assign(experts, 0.0);

  // Per expert, its column sorted by score descending, ties → lowest token.
  std::vector<std::vector<int>> picked(experts);
  std::vector<int> column(tokens);
  for (int e = 0; e < experts; ++e) {
    if (!skip_expert.empty() && skip_expert[e]) continue;
    std::iota(column.begin(), column.end(), 0);
    std::partial_sort(column.begin(), column.begin() + c, column.end(), [&](int a, int b) {
      const float sa = scores(a, e), sb = scores(b, e);
      return sa > sb || (sa == sb && a < b);
    });
    picked[e].assign(column.begin(), column.begin() + c);
  }
  std::vector<char> routed(tokens, 0);
  for (int e = 0; e < experts; ++e)
    for (int slot = 0; slot < static_cast<int>(picked[e].size()); ++slot) {
      const int t = picked[e][slot];
      out.assignments.push_back({t, e, slot, scores(t, e)});
      out.expert_load[e] += 1.0;
      routed[t] = 1;
    }
  out.tokens_dropped = std::count(routed.begin(), routed.end(), 0);
  fill_top_expert(out);
}

double mean_row_entropy(const HostMatrix& probs) {
  const std::size_t tokens = probs.extent(0);
  if (tokens == 0) return 0.0;
  double sum = 0.0;
  for (std::size_t t = 0; t < tokens; ++t)
    for (std::size_t e = 0; e < probs.extent(1); ++e) {
      const double p = probs(t, e);
      if (p > 0.0) sum -= p * std::log(p);
    }
  return sum / tokens;
}

}  // namespace moesim
