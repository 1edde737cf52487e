#include "models/baselines/linear_gate.hpp"

#include <cmath>

namespace moesim {

LinearGate::LinearGate(const std::string& name, int d_model, int experts, std::uint64_t seed,
                       std::uint64_t salt, double init_std)
    : weight_(name + ".w_gate", d_model, experts, /*weight_decay=*/true) {
  init_normal(weight_, seed, salt, init_std);
}

void LinearGate::forward(const HostMatrix& x, HostMatrix& logits) const {
  gemm(Backend::Blas, Op::N, Op::N, 1.0f, cmat(x), cmat(weight_.value), 0.0f, mat(logits));
}

void LinearGate::backward(const HostMatrix& x, const HostMatrix& d_logits, HostMatrix& dx) {
  gemm(Backend::Blas, Op::T, Op::N, 1.0f, cmat(x), cmat(d_logits), 1.0f, mat(weight_.grad));
  gemm(Backend::Blas, Op::N, Op::T, 1.0f, cmat(d_logits), cmat(weight_.value), 1.0f, mat(dx));
}

void softmax_rows(const HostMatrix& logits, HostMatrix& probs) {
  const std::size_t experts = logits.extent(1);
  auto in = logits;
  auto out = probs;
  Kokkos::parallel_for(
      "softmax_rows", Kokkos::RangePolicy<HostExec>(0, logits.extent(0)), [=](std::size_t t) {
        float m = in(t, 0);
        for (std::size_t e = 1; e < experts; ++e) m = std::max(m, in(t, e));
        double sum = 0.0;
        for (std::size_t e = 0; e < experts; ++e) {
          const float v = std::exp(in(t, e) - m);
          out(t, e) = v;
          sum += v;
        }
        const float inv = static_cast<float>(1.0 / sum);
        for (std::size_t e = 0; e < experts; ++e) out(t, e) *= inv;
      });
}

void softmax_rows_backward(const HostMatrix& probs, const HostMatrix& d_probs, HostMatrix& d_logits) {
  const std::size_t experts = probs.extent(1);
  auto p = probs;
  auto dp = d_probs;
  auto dl = d_logits;
  Kokkos::parallel_for(
      "softmax_rows_backward", Kokkos::RangePolicy<HostExec>(0, probs.extent(0)),
      [=](std::size_t t) {
        double dot = 0.0;
        for (std::size_t e = 0; e < experts; ++e) dot += double(p(t, e)) * dp(t, e);
        for (std::size_t e = 0; e < experts; ++e)
          dl(t, e) = static_cast<float>(p(t, e) * (dp(t, e) - dot));
      });
}

}  // namespace moesim
