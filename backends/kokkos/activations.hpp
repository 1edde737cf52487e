// Parallel elementwise kernels of the FFN experts (see
// backends/reference/activations.hpp for the definitions and the oracle).
// Kokkos style: each kernel is a template on the execution space, passed in
// as an argument, and works on Views in that space's memory space (deduced
// from the execution space; any LayoutRight view, subviews included,
// converts). Instantiated for Kokkos::DefaultHostExecutionSpace in
// activations.cpp. The math uses std:: functions in float, so the kernels are
// host-only (the CUDA backend has its own kernels, DESIGN.md §5).
//
// Determinism: every output element is computed by one work item from its
// own inputs; column sums run each column serially over rows (in double), the
// columns in parallel. Results do not depend on the thread count.
#pragma once
#include "backends/reference/activations.hpp"
#include "core/tensor.hpp"

namespace moesim::kokkos {

template <class T>
struct TypeIdentity {
  using type = T;
};
// Blocks template deduction, so that the memory space comes from the
// execution space and subviews convert implicitly.
template <class T>
using NoDeduce = typename TypeIdentity<T>::type;

// out = act(pre); pre [n, activation_input_cols(act, out cols)].
template <class ExecSpace, class MemorySpace = typename ExecSpace::memory_space>
void activation_forward(const ExecSpace& exec, Activation act,
                        NoDeduce<ConstMatrix<MemorySpace>> pre, NoDeduce<Matrix<MemorySpace>> out);

// Fused: pre += bias (row-broadcast; pre keeps the pre-activation), out = act(pre).
// out may be pre itself unless act is swiglu.
template <class ExecSpace, class MemorySpace = typename ExecSpace::memory_space>
void bias_activation_forward(const ExecSpace& exec, Activation act,
                             NoDeduce<ConstVector<MemorySpace>> bias,
                             NoDeduce<Matrix<MemorySpace>> pre, NoDeduce<Matrix<MemorySpace>> out);

// d_pre = ∂act/∂pre ⊙ d_out.
template <class ExecSpace, class MemorySpace = typename ExecSpace::memory_space>
void activation_backward(const ExecSpace& exec, Activation act,
                         NoDeduce<ConstMatrix<MemorySpace>> pre,
                         NoDeduce<ConstMatrix<MemorySpace>> d_out,
                         NoDeduce<Matrix<MemorySpace>> d_pre);

// sums(j) += Σ_i x(i, j), each column summed in row order (double): bit-equal
// to reference::add_column_sums.
template <class ExecSpace, class MemorySpace = typename ExecSpace::memory_space>
void add_column_sums(const ExecSpace& exec, NoDeduce<ConstMatrix<MemorySpace>> x,
                     NoDeduce<Vector<MemorySpace>> sums);

}  // namespace moesim::kokkos
