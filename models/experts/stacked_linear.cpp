#include "models/experts/stacked_linear.hpp"

#include <cmath>

namespace moesim {

StackedLinear::StackedLinear(const std::string& name, int experts, int in, int out, int rank,
                             std::uint64_t seed, std::uint64_t salt)
    : experts_(experts), in_(in), out_(out), rank_(rank) {
  if (rank_ == 0) {
    w_ = Parameter(name, std::size_t(experts) * in, out);
    init_normal(w_, seed, salt, 1.0 / std::sqrt(double(in)));
  } else {
    w_ = Parameter(name + ".u", std::size_t(experts) * in, rank);
    v_ = Parameter(name + ".v", std::size_t(experts) * rank, out);
    init_normal(w_, seed, salt, 1.0 / std::sqrt(double(in)));
    init_normal(v_, seed, salt + 1, 1.0 / std::sqrt(double(rank)));
  }
}

void StackedLinear::reserve(std::size_t capacity) {
  if (!factorised()) return;
  if (mid_.extent(1) == capacity && mid_.extent(0) == std::size_t(experts_)) return;
  mid_ = HostTensor3("stacked_linear.mid", experts_, capacity, rank_);
  d_mid_ = HostMatrix("stacked_linear.d_mid", capacity, rank_);
}

double StackedLinear::forward_flops(double n) const {
  if (!factorised()) return 2.0 * n * in_ * out_;
  return 2.0 * n * in_ * rank_ + 2.0 * n * rank_ * out_;
}

void StackedLinear::append_parameters(ParameterList& list) {
  list.push_back(&w_);
  if (factorised()) list.push_back(&v_);
}

}  // namespace moesim
