// The learned gating layer most routers share: logits = x · W_g, W_g [d_model, E]
// (no bias, as Switch / GShard), and row-wise softmax helpers with their
// backward. Routers own a LinearGate and add their selection rule on top.
#pragma once
#include "backends/gemm.hpp"
#include "core/parameter.hpp"
#include "core/tensor.hpp"

#include <string>

namespace moesim {

class LinearGate {
 public:
  // W_g ~ N(0, init_std^2), keyed by (seed, salt) so each layer differs.
  LinearGate(const std::string& name, int d_model, int experts, std::uint64_t seed,
             std::uint64_t salt, double init_std = 0.02);

  // logits [T, E] = x [T, d_model] · W_g
  void forward(const HostMatrix& x, HostMatrix& logits) const;
  // W_g.grad += xᵀ · d_logits;  dx += d_logits · W_gᵀ
  void backward(const HostMatrix& x, const HostMatrix& d_logits, HostMatrix& dx);

  Parameter& weight() { return weight_; }
  int experts() const { return static_cast<int>(weight_.value.extent(1)); }
  double forward_flops(int tokens) const {
    return 2.0 * tokens * weight_.value.extent(0) * weight_.value.extent(1);
  }

 private:
  Parameter weight_;
};

// Row-wise softmax of logits [T, E] into probs (may alias). Max-subtracted.
void softmax_rows(const HostMatrix& logits, HostMatrix& probs);
// d_logits = probs ⊙ (d_probs − Σ_e probs·d_probs), row-wise (overwrites d_logits).
void softmax_rows_backward(const HostMatrix& probs, const HostMatrix& d_probs, HostMatrix& d_logits);

}  // namespace moesim
