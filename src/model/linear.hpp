// Affine layer y = x · W + b, W [d_in, d_out], with backward.
#pragma once
#include "backends/gemm.hpp"
#include "core/parameter.hpp"

namespace moesim {

class Linear {
 public:
  // W ~ U(-1/sqrt(d_in), 1/sqrt(d_in)) as PyTorch's nn.Linear default, b = 0.
  Linear(const std::string& name, int d_in, int d_out, std::uint64_t seed, std::uint64_t salt,
         Backend backend);
  void forward(const HostMatrix& x, HostMatrix& y) const;
  // W.grad += xᵀ dy, b.grad += Σ_rows dy, dx = dy Wᵀ (overwrites dx, if dx is non-empty).
  void backward(const HostMatrix& x, const HostMatrix& dy, HostMatrix* dx);
  ParameterList parameters() { return {&weight_, &bias_}; }
  double forward_flops(int rows) const { return 2.0 * rows * weight_.value.extent(0) * weight_.value.extent(1); }
  int d_out() const { return static_cast<int>(weight_.value.extent(1)); }

 private:
  Parameter weight_, bias_;
  Backend backend_;
};

// Adds Σ over rows of m into the single-row `sum` (fixed order: deterministic).
void add_column_sums(const HostMatrix& m, HostMatrix& sum);

}  // namespace moesim
