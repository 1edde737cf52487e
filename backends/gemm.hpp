// GEMM, the one kernel every backend provides: C = alpha * op(A) * op(B) + beta * C
// on row-major matrices with a leading dimension. backends/reference is the
// oracle (plain loops); backends/blas is the fast CPU path; backends/cuda the GPU.
#pragma once
#include <cstddef>

namespace moesim {

enum class Op { N, T };  // use the matrix as stored, or its transpose

struct ConstMatRef {
  const float* data;
  std::size_t rows, cols, ld;  // ld = distance between rows, in floats
  float operator()(std::size_t i, std::size_t j) const { return data[i * ld + j]; }
};
struct MatRef {
  float* data;
  std::size_t rows, cols, ld;
  float& operator()(std::size_t i, std::size_t j) const { return data[i * ld + j]; }
  operator ConstMatRef() const { return {data, rows, cols, ld}; }
};

// Views of Kokkos matrices (LayoutRight, unit column stride).
template <class View>
MatRef mat(const View& v) {
  return {v.data(), v.extent(0), v.extent(1), v.extent(1) ? static_cast<std::size_t>(v.stride(0)) : 0};
}
template <class View>
ConstMatRef cmat(const View& v) {
  return {v.data(), v.extent(0), v.extent(1), v.extent(1) ? static_cast<std::size_t>(v.stride(0)) : 0};
}

enum class Backend { Reference, Blas };

namespace reference {
// Plain triple loop, double accumulation in k order: the test oracle.
void gemm(Op op_a, Op op_b, float alpha, ConstMatRef a, ConstMatRef b, float beta, MatRef c);
}  // namespace reference

namespace blas {
// Host BLAS on fixed tiles of C, tiles run in parallel on the host execution
// space, each BLAS call single-threaded: results do not depend on thread count.
void gemm(Op op_a, Op op_b, float alpha, ConstMatRef a, ConstMatRef b, float beta, MatRef c);
}  // namespace blas

// Dispatches to the chosen backend; checks shapes (throws std::invalid_argument).
void gemm(Backend backend, Op op_a, Op op_b, float alpha, ConstMatRef a, ConstMatRef b, float beta,
          MatRef c);

}  // namespace moesim
