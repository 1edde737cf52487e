// The linear maps of E experts, stored stacked so that each is one Parameter:
// y = x · W_e, with W_e either dense [in, out] (rank 0) or factorised
// U_e [in, r] · V_e [r, out] (rank r > 0, computed as (x · U_e) · V_e).
// Stacking: W [E·in, out], expert e owns rows e·in .. (e+1)·in; likewise
// U [E·in, r] and V [E·r, out]. No bias (the bank fuses it with the activation).
//
// Initialisation (LeCun normal, the variance-preserving transformer default):
// dense W ~ N(0, 1/in); factorised U ~ N(0, 1/in), V ~ N(0, 1/r), so that each
// entry of U·V also has variance 1/in.
#pragma once
#include "backends/gemm.hpp"
#include "core/parameter.hpp"
#include "core/tensor.hpp"

#include <cstdint>
#include <string>

namespace moesim {

class StackedLinear {
 public:
  // name: parameter name prefix ("layer0.experts.w1" -> ".u" / ".v" when factorised).
  // salt: first of the two init salts this map uses (salt, salt + 1).
  StackedLinear(const std::string& name, int experts, int in, int out, int rank,
                std::uint64_t seed, std::uint64_t salt);

  int in() const { return in_; }
  int out() const { return out_; }
  int rank() const { return rank_; }
  bool factorised() const { return rank_ > 0; }

  // Sizes the cache of the intermediate x·U for `capacity` rows per expert.
  void reserve(std::size_t capacity);

  // y [n, out] = x [n, in] · W_e (overwrites y). Caches x·U for backward (factorised).
  template <class X, class Y>
  void forward(Backend backend, int e, const X& x, const Y& y);

  // Accumulates the gradients of W_e (or U_e, V_e) for the x of the matching
  // forward and dy [n, out]; writes dx [n, in] = dy · W_eᵀ (overwrites).
  template <class X, class DY, class DX>
  void backward(Backend backend, int e, const X& x, const DY& dy, const DX& dx);

  // FLOPs of one forward over n rows: 2·n·in·out, or 2·n·in·r + 2·n·r·out.
  double forward_flops(double n) const;

  void append_parameters(ParameterList& list);

 private:
  int experts_, in_, out_, rank_;
  Parameter w_;  // dense: W; factorised: U
  Parameter v_;  // factorised: V (empty when dense)
  HostTensor3 mid_;     // [E, capacity, r]: x·U_e of the last forward
  HostMatrix d_mid_;    // [capacity, r] scratch for backward
};

template <class X, class Y>
void StackedLinear::forward(Backend backend, int e, const X& x, const Y& y) {
  const std::size_t n = x.extent(0);
  auto w = row_block(w_.value, std::size_t(e) * in_, std::size_t(e + 1) * in_);
  if (!factorised()) {
    gemm(backend, Op::N, Op::N, 1.0f, cmat(x), cmat(w), 0.0f, mat(y));
    return;
  }
  auto mid = Kokkos::subview(mid_, e, Kokkos::make_pair(std::size_t(0), n), Kokkos::ALL());
  auto v = row_block(v_.value, std::size_t(e) * rank_, std::size_t(e + 1) * rank_);
  gemm(backend, Op::N, Op::N, 1.0f, cmat(x), cmat(w), 0.0f, mat(mid));
  gemm(backend, Op::N, Op::N, 1.0f, cmat(mid), cmat(v), 0.0f, mat(y));
}

template <class X, class DY, class DX>
void StackedLinear::backward(Backend backend, int e, const X& x, const DY& dy, const DX& dx) {
  const std::size_t n = x.extent(0);
  const std::size_t r0 = std::size_t(e) * in_, r1 = std::size_t(e + 1) * in_;
  auto w = row_block(w_.value, r0, r1);
  auto dw = row_block(w_.grad, r0, r1);
  if (!factorised()) {
    gemm(backend, Op::T, Op::N, 1.0f, cmat(x), cmat(dy), 1.0f, mat(dw));
    gemm(backend, Op::N, Op::T, 1.0f, cmat(dy), cmat(w), 0.0f, mat(dx));
    return;
  }
  auto mid = Kokkos::subview(mid_, e, Kokkos::make_pair(std::size_t(0), n), Kokkos::ALL());
  auto d_mid = row_block(d_mid_, 0, n);
  const std::size_t v0 = std::size_t(e) * rank_, v1 = std::size_t(e + 1) * rank_;
  auto v = row_block(v_.value, v0, v1);
  auto dv = row_block(v_.grad, v0, v1);
  gemm(backend, Op::T, Op::N, 1.0f, cmat(mid), cmat(dy), 1.0f, mat(dv));    // dV += midᵀ dy
  gemm(backend, Op::N, Op::T, 1.0f, cmat(dy), cmat(v), 0.0f, mat(d_mid));   // dmid = dy Vᵀ
  gemm(backend, Op::T, Op::N, 1.0f, cmat(x), cmat(d_mid), 1.0f, mat(dw));   // dU += xᵀ dmid
  gemm(backend, Op::N, Op::T, 1.0f, cmat(d_mid), cmat(w), 0.0f, mat(dx));   // dx = dmid Uᵀ
}

}  // namespace moesim
