// Single-qubit measurement on a state vector: the reduced 2x2 density matrix
// of one qubit, P(|1⟩), projective measurement with collapse given a uniform
// draw u ∈ [0, 1), reset to |0⟩, and classical readout error. The caller owns
// the randomness (e.g. Philox::uniform(key, counter)), so a fixed key gives the
// same outcomes for any thread count; every reduction here uses fixed blocks
// combined in index order (ordered_reduce.hpp).
#pragma once
#include "models/quantum/gates.hpp"
#include "models/quantum/ordered_reduce.hpp"
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"

#include <Kokkos_Core.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace moesim::quantum {

namespace detail {
template <class Real, class MemorySpace>
void check_qubit(const State<Real, MemorySpace>& st, unsigned qubit) {
  if (qubit >= st.num_qubits)
    throw std::invalid_argument("quantum: qubit " + std::to_string(qubit) + " out of range for " +
                                std::to_string(st.num_qubits) + " qubits");
}
}  // namespace detail

// ρ_q = Tr_{other qubits} |ψ⟩⟨ψ| as row-major 2x2 {ρ00, ρ01, ρ10, ρ11}, with
// ρ_bc = Σ ψ_{..b..} conj(ψ_{..c..}). Not normalised: its trace is ‖ψ‖².
template <class Real, class MemorySpace, class ExecSpace>
std::array<cplx, 4> reduced_density_matrix(const StateSpace<Real, MemorySpace, ExecSpace>& space,
                                           const State<Real, MemorySpace>& st, unsigned qubit) {
  detail::check_qubit(st, qubit);
  const detail::BitInserter ins = detail::make_inserter({qubit});
  const std::size_t bit = std::size_t{1} << qubit;
  auto a = st.amps;
  const auto s = ordered_block_sums<4, MemorySpace>(space.exec(), st.size() / 2,
                                                    KOKKOS_LAMBDA(std::size_t k, double* acc) {
    const std::size_t i0 = ins(k), i1 = i0 | bit;
    const double r0 = a(i0).real(), m0 = a(i0).imag(), r1 = a(i1).real(), m1 = a(i1).imag();
    acc[0] += r0 * r0 + m0 * m0;
    acc[1] += r1 * r1 + m1 * m1;
    acc[2] += r0 * r1 + m0 * m1;  // Re ψ0 conj(ψ1)
    acc[3] += m0 * r1 - r0 * m1;  // Im ψ0 conj(ψ1)
  });
  return {cplx(s[0], 0.0), cplx(s[2], s[3]), cplx(s[2], -s[3]), cplx(s[1], 0.0)};
}

// P(qubit = 1) = ρ11 / (ρ00 + ρ11); the state need not be normalised.
template <class Real, class MemorySpace, class ExecSpace>
double probability_one(const StateSpace<Real, MemorySpace, ExecSpace>& space, const State<Real, MemorySpace>& st,
                       unsigned qubit) {
  const auto rho = reduced_density_matrix(space, st, qubit);
  const double total = rho[0].real() + rho[3].real();
  if (!(total > 0)) throw std::runtime_error("quantum: probability of a zero state");
  return rho[3].real() / total;
}

namespace detail {
// Keeps the half of the amplitudes with qubit = `outcome`, scaled by `scale`,
// and zeroes the other; with `to_zero` the kept half is moved to qubit = 0.
template <class Real, class MemorySpace, class ExecSpace>
void project_qubit(const ExecSpace& exec, State<Real, MemorySpace>& st, unsigned qubit, int outcome, double scale,
                   bool to_zero) {
  using complex_type = Kokkos::complex<Real>;
  const detail::BitInserter ins = detail::make_inserter({qubit});
  const std::size_t bit = std::size_t{1} << qubit;
  const Real f = Real(scale);
  auto a = st.amps;
  Kokkos::parallel_for(
      "quantum.project_qubit",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>>(exec, 0, st.size() / 2),
      KOKKOS_LAMBDA(const std::size_t k) {
        const std::size_t i0 = ins(k), i1 = i0 | bit;
        const complex_type kept = (outcome ? a(i1) : a(i0)) * f;
        const complex_type zero(Real(0), Real(0));
        if (to_zero || outcome == 0) {
          a(i0) = kept;
          a(i1) = zero;
        } else {
          a(i0) = zero;
          a(i1) = kept;
        }
      });
  exec.fence();
}
}  // namespace detail

// Projective measurement of `qubit` in the computational basis: outcome 0 if
// u < P(0), else 1 (so u ∈ [0, 1) maps to outcomes in basis order, like
// StateSpace::sample). The state collapses and is renormalised to norm 1.
template <class Real, class MemorySpace, class ExecSpace>
int measure_qubit(const StateSpace<Real, MemorySpace, ExecSpace>& space, State<Real, MemorySpace>& st,
                  unsigned qubit, double u) {
  const auto rho = reduced_density_matrix(space, st, qubit);
  const double p0 = rho[0].real(), p1 = rho[3].real();
  if (!(p0 + p1 > 0)) throw std::runtime_error("quantum: cannot measure a zero state");
  const int outcome = (u < p0 / (p0 + p1) || p1 == 0) ? 0 : 1;
  detail::project_qubit(space.exec(), st, qubit, outcome, 1.0 / std::sqrt(outcome ? p1 : p0), false);
  return outcome;
}

// Reset: measure `qubit` (draw u), then put it in |0⟩. Returns the outcome of
// the measurement. The result is normalised.
template <class Real, class MemorySpace, class ExecSpace>
int reset_qubit(const StateSpace<Real, MemorySpace, ExecSpace>& space, State<Real, MemorySpace>& st, unsigned qubit,
                double u) {
  const auto rho = reduced_density_matrix(space, st, qubit);
  const double p0 = rho[0].real(), p1 = rho[3].real();
  if (!(p0 + p1 > 0)) throw std::runtime_error("quantum: cannot reset a qubit of a zero state");
  const int outcome = (u < p0 / (p0 + p1) || p1 == 0) ? 0 : 1;
  detail::project_qubit(space.exec(), st, qubit, outcome, 1.0 / std::sqrt(outcome ? p1 : p0), true);
  return outcome;
}

// Classical readout error on a measured bit: p01 = P(read 1 | qubit in |0⟩),
// p10 = P(read 0 | qubit in |1⟩). The bit flips when u < p_{bit, 1−bit}.
inline int apply_readout_error(int bit, double p01, double p10, double u) {
  if (!(p01 >= 0 && p01 <= 1 && p10 >= 0 && p10 <= 1))
    throw std::invalid_argument("quantum: readout error probabilities must lie in [0, 1], got p01 = " +
                                std::to_string(p01) + ", p10 = " + std::to_string(p10));
  const double flip = bit ? p10 : p01;
  return u < flip ? 1 - bit : bit;
}

}  // namespace moesim::quantum
