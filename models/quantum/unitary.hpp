// Dense k-qubit matrices (k ≤ kMaxUnitaryQubits) with optional controls, for
// gates that simulator.hpp's 1- and 2-qubit kernels do not cover (ccx-like
// multi-target blocks, fused gates, random unitaries) and for the non-unitary
// Kraus operators of the noise code.
//
// The matrix is row-major 2^k x 2^k over the local index Σ_j bit(targets[j]) << j
// (the convention of Gate2 in gates.hpp, extended to k qubits); it acts where
// every control qubit is |1⟩. The kernel is one parallel_for over the groups of
// 2^k amplitudes the matrix mixes: each iteration gathers its group, multiplies
// and scatters back, so there is no reduction and the result does not depend on
// the thread count. reference.hpp's apply_gate_reference is the oracle.
#pragma once
#include "models/quantum/gates.hpp"
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace moesim::quantum {

inline constexpr unsigned kMaxUnitaryQubits = 5;

namespace detail {
struct GroupOffsets {
  std::size_t off[std::size_t{1} << kMaxUnitaryQubits] = {};
};

inline void check_matrix_shape(std::size_t k, std::size_t entries) {
  if (k == 0 || k > kMaxUnitaryQubits)
    throw std::invalid_argument("quantum: a dense matrix acts on 1 to " + std::to_string(kMaxUnitaryQubits) +
                                " qubits, not " + std::to_string(k));
  const std::size_t dim = std::size_t{1} << k;
  if (entries != dim * dim)
    throw std::invalid_argument("quantum: a matrix on " + std::to_string(k) + " qubits needs " +
                                std::to_string(dim * dim) + " entries, got " + std::to_string(entries));
}
}  // namespace detail

// max_{r,c} |(M† M − I)_{rc}| for a row-major dim x dim matrix.
inline double unitarity_error(const std::vector<cplx>& m) {
  const std::size_t dim = static_cast<std::size_t>(std::llround(std::sqrt(double(m.size()))));
  if (dim * dim != m.size()) throw std::invalid_argument("quantum: matrix is not square");
  double err = 0;
  for (std::size_t r = 0; r < dim; ++r)
    for (std::size_t c = 0; c < dim; ++c) {
      cplx s = 0;
      for (std::size_t k = 0; k < dim; ++k) s += std::conj(m[k * dim + r]) * m[k * dim + c];
      err = std::max(err, std::abs(s - cplx(r == c ? 1.0 : 0.0, 0.0)));
    }
  return err;
}

// Applies the 2^k x 2^k `matrix` (not checked for unitarity) to `targets`
// where all `controls` are |1⟩. Targets and controls must be distinct qubits
// of the register; 1 ≤ k ≤ kMaxUnitaryQubits.
template <class Real, class MemorySpace, class ExecSpace>
void apply_matrix(const ExecSpace& exec, State<Real, MemorySpace>& st, const std::vector<unsigned>& targets,
                  const std::vector<cplx>& matrix, const std::vector<unsigned>& controls = {}) {
  using complex_type = Kokkos::complex<Real>;
  detail::check_matrix_shape(targets.size(), matrix.size());
  const std::size_t k = targets.size();
  const std::size_t dim = std::size_t{1} << k;
  std::vector<unsigned> fixed(controls);
  fixed.insert(fixed.end(), targets.begin(), targets.end());
  std::size_t seen = 0;
  for (unsigned q : fixed) {
    if (q >= st.num_qubits)
      throw std::invalid_argument("quantum: qubit " + std::to_string(q) + " out of range for " +
                                  std::to_string(st.num_qubits) + " qubits");
    if (seen & (std::size_t{1} << q))
      throw std::invalid_argument("quantum: qubit " + std::to_string(q) + " used twice in one gate");
    seen |= std::size_t{1} << q;
  }
  const detail::BitInserter ins = detail::make_inserter(fixed);
  std::size_t cmask = 0;
  for (unsigned c : controls) cmask |= std::size_t{1} << c;
  detail::GroupOffsets offs;
  for (std::size_t r = 0; r < dim; ++r)
    for (std::size_t j = 0; j < k; ++j)
      if ((r >> j) & 1u) offs.off[r] |= std::size_t{1} << targets[j];

  Kokkos::View<complex_type*, MemorySpace> m("quantum.apply_matrix.m", dim * dim);
  auto hm = Kokkos::create_mirror_view(m);
  for (std::size_t e = 0; e < dim * dim; ++e) hm(e) = complex_type(Real(matrix[e].real()), Real(matrix[e].imag()));
  Kokkos::deep_copy(m, hm);

  auto a = st.amps;
  const std::size_t groups = st.size() >> fixed.size();
  Kokkos::parallel_for(
      "quantum.apply_matrix", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>>(exec, 0, groups),
      KOKKOS_LAMBDA(const std::size_t g) {
        const std::size_t base = ins(g) | cmask;
        complex_type v[std::size_t{1} << kMaxUnitaryQubits];
        for (std::size_t c = 0; c < dim; ++c) v[c] = a(base | offs.off[c]);
        for (std::size_t r = 0; r < dim; ++r) {
          complex_type s = m(r * dim) * v[0];
          for (std::size_t c = 1; c < dim; ++c) s += m(r * dim + c) * v[c];
          a(base | offs.off[r]) = s;
        }
      });
  exec.fence();
}

// As apply_matrix on the simulator's execution space, after checking that the
// matrix is unitary to `tol` (max-norm of U†U − I); std::invalid_argument if not.
template <class Real, class MemorySpace, class ExecSpace>
void apply_unitary(const StateVectorSimulator<Real, MemorySpace, ExecSpace>& sim, State<Real, MemorySpace>& st,
                   const std::vector<unsigned>& targets, const std::vector<cplx>& matrix,
                   const std::vector<unsigned>& controls = {}, double tol = 1e-8) {
  detail::check_matrix_shape(targets.size(), matrix.size());
  const double err = unitarity_error(matrix);
  if (!(err <= tol))
    throw std::invalid_argument("quantum: matrix is not unitary (max |U†U − I| = " + std::to_string(err) +
                                ", tolerance " + std::to_string(tol) + ")");
  apply_matrix(sim.exec(), st, targets, matrix, controls);
}

}  // namespace moesim::quantum
