// Elementwise kernels of the FFN experts: activations (forward and backward),
// the fused bias-add + activation, and bias-gradient column sums.
// backends/reference holds the plain-loop oracle (computed in double, rounded
// to float); backends/kokkos/activations.hpp the parallel kernels, tested
// against it.
//
// Activations (PyTorch semantics):
//   relu       max(x, 0); the derivative at 0 is taken as 0.
//   gelu       x·Φ(x) = 0.5·x·(1 + erf(x/√2)), the exact form — the default,
//              as torch.nn.GELU(approximate='none').
//   gelu_tanh  0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the tanh
//              approximation (torch.nn.GELU(approximate='tanh')).
//   swiglu     on a pre-activation of 2·f columns [a | b]: silu(a) ⊙ b with
//              silu(a) = a·σ(a) (Shazeer 2020), giving f columns.
//   identity   x (used for the output bias of an expert).
#pragma once
#include "backends/gemm.hpp"

#include <cstddef>
#include <string>

namespace moesim {

enum class Activation { Relu, Gelu, GeluTanh, Swiglu, Identity };

// Columns of the pre-activation for `out_cols` output columns: 2·out_cols for
// swiglu (the gate half a first, then the value half b), out_cols otherwise.
inline std::size_t activation_input_cols(Activation act, std::size_t out_cols) {
  return act == Activation::Swiglu ? 2 * out_cols : out_cols;
}

// FLOPs counted per output element of an activation, for the Ledger. Every
// add, multiply, divide, compare and special function (erf, tanh, exp) is one:
//   relu 1 (max); gelu 5 (x/√2, erf, 1+, 0.5·x, ·); gelu_tanh 9 (x², x³,
//   0.044715·, +x, ·√(2/π), tanh, 1+, 0.5·x, ·); swiglu 4 (exp(−a), 1+, a/,
//   ·b); identity 0.
double activation_flops(Activation act);

// "relu", "gelu", "gelu_tanh", "swiglu", "identity".
std::string activation_name(Activation act);

namespace reference {

// out = act(pre). pre [n, activation_input_cols(act, out.cols)], out [n, cols].
void activation_forward(Activation act, ConstMatRef pre, MatRef out);

// pre += bias (row-broadcast, bias has pre.cols entries; pre keeps the
// pre-activation for backward), then out = act(pre). out may be pre itself
// unless act is swiglu.
void bias_activation_forward(Activation act, const float* bias, MatRef pre, MatRef out);

// d_pre = ∂act/∂pre ⊙ d_out (for swiglu: d_a = d_out·b·silu'(a), d_b = d_out·silu(a)).
// pre and d_pre have the same shape; d_out has the output's shape.
void activation_backward(Activation act, ConstMatRef pre, ConstMatRef d_out, MatRef d_pre);

// sums[j] += Σ_i x(i, j), summed in row order in double: the bias gradient.
void add_column_sums(ConstMatRef x, float* sums);

}  // namespace reference
}  // namespace moesim
