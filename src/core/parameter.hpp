// A trainable parameter: value, gradient and the optimizer's moments, all of
// the same shape. Every module exposes its parameters as a list of these, so
// the optimizer, the gradient checks and the trace treat them uniformly.
#pragma once
#include "core/tensor.hpp"

#include <string>
#include <vector>

namespace moesim {

struct Parameter {
  std::string name;
  HostMatrix value;
  HostMatrix grad;
  HostMatrix adam_m;
  HostMatrix adam_v;
  bool decay = true;  // AdamW weight decay applies (off for biases, norms, thresholds)

  Parameter() = default;
  Parameter(std::string n, std::size_t rows, std::size_t cols, bool weight_decay = true)
      : name(std::move(n)),
        value(name, rows, cols),
        grad(name + ".grad", rows, cols),
        adam_m(name + ".m", rows, cols),
        adam_v(name + ".v", rows, cols),
        decay(weight_decay) {}

  std::size_t size() const { return value.size(); }
  void zero_grad() { Kokkos::deep_copy(grad, 0.0f); }
};

using ParameterList = std::vector<Parameter*>;

// Fills p.value with N(0, std^2) from (seed, kInit + salt): deterministic.
void init_normal(Parameter& p, std::uint64_t seed, std::uint64_t salt, double std);
// Fills with U(-bound, bound).
void init_uniform(Parameter& p, std::uint64_t seed, std::uint64_t salt, double bound);

}  // namespace moesim
