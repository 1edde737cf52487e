#include "backends/moe_kernels.hpp"

#include <algorithm>

namespace moesim {

TokenIndex index_by_token(const std::vector<Assignment>& assignments, int tokens) {
  TokenIndex idx;
  idx.offsets.assign(tokens + 1, 0);
  for (const auto& a : assignments) ++idx.offsets[a.token + 1];
  for (int t = 0; t < tokens; ++t) idx.offsets[t + 1] += idx.offsets[t];
  idx.order.resize(assignments.size());
  std::vector<int> fill(idx.offsets.begin(), idx.offsets.end() - 1);
  for (std::size_t i = 0; i < assignments.size(); ++i)
    idx.order[fill[assignments[i].token]++] = static_cast<int>(i);
  return idx;
}

std::vector<int> expert_counts(const std::vector<Assignment>& assignments, int experts) {
  std::vector<int> counts(experts, 0);
  for (const auto& a : assignments) counts[a.expert] = std::max(counts[a.expert], a.slot + 1);
  return counts;
}

namespace reference {

void gather(const std::vector<Assignment>& as, const HostMatrix& x, HostTensor3& buffers) {
  const std::size_t d = x.extent(1);
  for (const auto& a : as)
    for (std::size_t j = 0; j < d; ++j) buffers(a.expert, a.slot, j) = x(a.token, j);
}

void combine(const std::vector<Assignment>& as, const TokenIndex& by_token, const HostTensor3& out,
             HostMatrix& y) {
  const std::size_t d = y.extent(1);
  for (std::size_t t = 0; t < y.extent(0); ++t)
    for (std::size_t j = 0; j < d; ++j) {
      float acc = 0.0f;
      for (int i = by_token.offsets[t]; i < by_token.offsets[t + 1]; ++i) {
        const auto& a = as[by_token.order[i]];
        acc += a.weight * out(a.expert, a.slot, j);
      }
      y(t, j) = acc;
    }
}

void combine_backward(const std::vector<Assignment>& as, const HostMatrix& dy, const HostTensor3& out,
                      HostTensor3& d_out, std::vector<float>& d_weight) {
  const std::size_t d = dy.extent(1);
  d_weight.assign(as.size(), 0.0f);
  for (std::size_t i = 0; i < as.size(); ++i) {
    const auto& a = as[i];
    float dot = 0.0f;
    for (std::size_t j = 0; j < d; ++j) {
      d_out(a.expert, a.slot, j) = a.weight * dy(a.token, j);
      dot += dy(a.token, j) * out(a.expert, a.slot, j);
    }
    d_weight[i] = dot;
  }
}

void gather_backward(const std::vector<Assignment>& as, const TokenIndex& by_token,
                     const HostTensor3& d_in, HostMatrix& dx) {
  const std::size_t d = dx.extent(1);
  for (std::size_t t = 0; t < dx.extent(0); ++t)
    for (std::size_t j = 0; j < d; ++j) {
      float acc = 0.0f;
      for (int i = by_token.offsets[t]; i < by_token.offsets[t + 1]; ++i) {
        const auto& a = as[by_token.order[i]];
        acc += d_in(a.expert, a.slot, j);
      }
      dx(t, j) += acc;
    }
}

}  // namespace reference
}  // namespace moesim
