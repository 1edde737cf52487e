// LayerNorm over features with learned gain and bias (Ba et al. 2016), the
// pre-norm of every MoE block and before the classifier head.
#pragma once
#include "core/parameter.hpp"

namespace moesim {

class LayerNorm {
 public:
  LayerNorm(const std::string& name, int d, float eps = 1e-5f);
  // y = (x − mean) / sqrt(var + eps) · gain + bias; caches x̂ and 1/σ per row.
  void forward(const HostMatrix& x, HostMatrix& y);
  // dx += dL/dx (accumulates: the block's residual path adds to the same dx).
  void backward(const HostMatrix& dy, HostMatrix& dx);
  ParameterList parameters() { return {&gain_, &bias_}; }

 private:
  Parameter gain_, bias_;
  float eps_;
  HostMatrix x_hat_;
  HostVector inv_std_;
};

}  // namespace moesim
