// Tensor types of moesim: Kokkos Views, row-major, templated on the memory
// space. The engine runs on the host execution space; kernels take the
// execution space as an argument (Kokkos / Cabana style), never a global.
#pragma once
#include <Kokkos_Core.hpp>

#include <cstddef>
#include <string>

namespace moesim {

using HostExec = Kokkos::DefaultHostExecutionSpace;
using HostSpace = Kokkos::HostSpace;

// [rows, cols], row-major: row = token (or slot), col = feature.
template <class MemorySpace = HostSpace>
using Matrix = Kokkos::View<float**, Kokkos::LayoutRight, MemorySpace>;
template <class MemorySpace = HostSpace>
using ConstMatrix = Kokkos::View<const float**, Kokkos::LayoutRight, MemorySpace>;
template <class MemorySpace = HostSpace>
using Vector = Kokkos::View<float*, MemorySpace>;
template <class MemorySpace = HostSpace>
using ConstVector = Kokkos::View<const float*, MemorySpace>;
// [experts, slots, features]: the per-expert token buffers of a dispatch.
template <class MemorySpace = HostSpace>
using Tensor3 = Kokkos::View<float***, Kokkos::LayoutRight, MemorySpace>;

using HostMatrix = Matrix<HostSpace>;
using HostVector = Vector<HostSpace>;
using HostTensor3 = Tensor3<HostSpace>;

inline HostMatrix make_matrix(const std::string& label, std::size_t rows, std::size_t cols) {
  return HostMatrix(label, rows, cols);
}

// A [rows, cols] matrix viewing rows [begin, end) of m (no copy).
template <class View>
auto row_block(const View& m, std::size_t begin, std::size_t end) {
  return Kokkos::subview(m, Kokkos::make_pair(begin, end), Kokkos::ALL());
}

}  // namespace moesim
