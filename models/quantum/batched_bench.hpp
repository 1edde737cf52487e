// `moesim bench statevector_batched`: nanoseconds per (register · gate) of the
// batched small-register kernels (batched_state.hpp) at n = 3…8 qubits, for a
// dense single-qubit gate and for ry with a per-register angle, next to the
// flop limit of check_values.md ("Qubit noise", bullet 2): 14·2^n flops
// (dense) or 6·2^n (ry) divided by the single-precision GEMM rate of one core
// (sgemm 2048³ through BLAS on one thread, measured in the same run), scaled
// by the thread count the kernel runs on. The same figures by process CPU
// time (`*_cpu` keys) are robust to other processes sharing the cores
// (meaningful at 1 thread, or with OMP_WAIT_POLICY=passive).
#pragma once
#include "core/registry.hpp"

namespace moesim {

void register_statevector_batched_bench(Registry& registry);

}  // namespace moesim
