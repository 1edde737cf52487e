// Exact density-matrix simulation for small registers (n ≤ kMaxDensityQubits).
//
// Representation: ρ (2^n x 2^n) is stored vectorised as a 2n-qubit State:
// element ρ_rc sits at index r + (c << n), so qubits 0…n−1 of the vector are
// the row index and qubits n…2n−1 the column index. Then
//   U ρ U†      = U on the row qubits q, conj(U) on the column qubits q + n,
//   Σ K ρ K†    = the 4x4 superoperator Σ_i K_i ⊗ conj(K_i) on (q, q + n),
// so every operation is a StateVectorSimulator kernel on the 2n-qubit vector
// and inherits its thread-count independence; reductions (trace, purity,
// fidelity, probabilities of one qubit) use fixed blocks (ordered_reduce.hpp).
// Memory: 16 · 4^n bytes in double (16 MiB at n = 10).
#pragma once
#include "core/error.hpp"
#include "models/quantum/gates.hpp"
#include "models/quantum/noise.hpp"
#include "models/quantum/ordered_reduce.hpp"
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"
#include "models/quantum/unitary.hpp"

#include <Kokkos_Core.hpp>

#include <array>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace moesim::quantum {

inline constexpr unsigned kMaxDensityQubits = 10;

template <class Real, class MemorySpace>
struct DensityMatrix {
  unsigned num_qubits = 0;
  State<Real, MemorySpace> vec;  // 2n qubits: ρ_rc at r + (c << n)
  std::size_t dim() const { return std::size_t{1} << num_qubits; }
};

namespace detail {
inline Gate1 conj(const Gate1& g) {
  Gate1 out = g;
  for (auto& e : out.m) e = std::conj(e);
  return out;
}
inline Gate2 conj(const Gate2& g) {
  Gate2 out = g;
  for (auto& e : out.m) e = std::conj(e);
  return out;
}
inline std::vector<unsigned> shifted(const std::vector<unsigned>& qubits, unsigned n) {
  std::vector<unsigned> out(qubits);
  for (auto& q : out) q += n;
  return out;
}
}  // namespace detail

template <class Real, class MemorySpace = Kokkos::HostSpace,
          class ExecSpace = typename MemorySpace::execution_space>
class DensityMatrixSimulator {
 public:
  using density_type = DensityMatrix<Real, MemorySpace>;
  using state_type = State<Real, MemorySpace>;
  using complex_type = Kokkos::complex<Real>;

  explicit DensityMatrixSimulator(const ExecSpace& exec = ExecSpace()) : exec_(exec), space_(exec), sim_(exec) {}
  const ExecSpace& exec() const { return exec_; }

  // ρ = |0…0⟩⟨0…0| on n qubits; UsageError for n > kMaxDensityQubits.
  density_type create(unsigned num_qubits) const {
    if (num_qubits > kMaxDensityQubits)
      throw UsageError("quantum: density matrix of " + std::to_string(num_qubits) +
                       " qubits requested; the exact density-matrix path takes at most " +
                       std::to_string(kMaxDensityQubits) + " qubits (use trajectories for larger registers)");
    density_type dm;
    dm.num_qubits = num_qubits;
    dm.vec = space_.create(2 * num_qubits);
    return dm;
  }

  // ρ = |ψ⟩⟨ψ| (ψ taken as given; normalise it first for a state).
  density_type from_state(const state_type& psi) const {
    density_type dm = create(psi.num_qubits);
    const unsigned n = psi.num_qubits;
    const std::size_t rmask = dm.dim() - 1;
    auto a = psi.amps;
    auto v = dm.vec.amps;
    Kokkos::parallel_for(
        "quantum.dm.from_state", policy(dm.vec.size()), KOKKOS_LAMBDA(const std::size_t i) {
          v(i) = a(i & rmask) * Kokkos::conj(a(i >> n));
        });
    exec_.fence();
    return dm;
  }

  void apply_gate(density_type& dm, unsigned target, const Gate1& g) const {
    apply_controlled_gate(dm, {}, target, g);
  }

  void apply_controlled_gate(density_type& dm, const std::vector<unsigned>& controls, unsigned target,
                             const Gate1& g) const {
    check(dm, controls);
    check(dm, {target});
    const unsigned n = dm.num_qubits;
    sim_.apply_controlled_gate(dm.vec, controls, target, g);
    sim_.apply_controlled_gate(dm.vec, detail::shifted(controls, n), target + n, detail::conj(g));
  }

  // Local index bit(qa) + 2 bit(qb), as StateVectorSimulator::apply_gate2.
  void apply_gate2(density_type& dm, unsigned qa, unsigned qb, const Gate2& g) const {
    check(dm, {qa, qb});
    const unsigned n = dm.num_qubits;
    sim_.apply_gate2(dm.vec, qa, qb, g);
    sim_.apply_gate2(dm.vec, qa + n, qb + n, detail::conj(g));
  }

  // Dense k-qubit unitary with controls (unitary.hpp conventions).
  void apply_unitary(density_type& dm, const std::vector<unsigned>& targets, const std::vector<cplx>& matrix,
                     const std::vector<unsigned>& controls = {}) const {
    check(dm, targets);
    check(dm, controls);
    const unsigned n = dm.num_qubits;
    quantum::apply_unitary(sim_, dm.vec, targets, matrix, controls);
    std::vector<cplx> mc(matrix);
    for (auto& e : mc) e = std::conj(e);
    apply_matrix(exec_, dm.vec, detail::shifted(targets, n), mc, detail::shifted(controls, n));
  }

  // ρ → Σ_i K_i ρ K_i† on `qubit`.
  void apply_channel(density_type& dm, unsigned qubit, const KrausChannel& channel) const {
    check(dm, {qubit});
    sim_.apply_gate2(dm.vec, qubit, qubit + dm.num_qubits, superoperator(channel));
  }

  double trace(const density_type& dm) const {
    const auto s = diagonal_sums(dm, ~std::size_t{0}, 0);
    return s[0];
  }

  // Tr ρ² = Σ_rc |ρ_rc|² (ρ Hermitian).
  double purity(const density_type& dm) const { return space_.norm2(dm.vec); }

  // ⟨ψ|ρ|ψ⟩ = Σ_rc conj(ψ_r) ρ_rc ψ_c (real for Hermitian ρ).
  double fidelity(const density_type& dm, const state_type& psi) const {
    if (psi.num_qubits != dm.num_qubits)
      throw std::invalid_argument("quantum: fidelity of a " + std::to_string(dm.num_qubits) +
                                  "-qubit density matrix with a " + std::to_string(psi.num_qubits) +
                                  "-qubit state");
    const unsigned n = dm.num_qubits;
    const std::size_t rmask = dm.dim() - 1;
    auto a = psi.amps;
    auto v = dm.vec.amps;
    const auto s = ordered_block_sums<1, MemorySpace>(exec_, dm.vec.size(), KOKKOS_LAMBDA(std::size_t i, double* acc) {
      const auto pr = a(i & rmask), pc = a(i >> n), rho = v(i);
      // Re(conj(ψ_r) ρ ψ_c)
      const double xr = double(rho.real()) * pc.real() - double(rho.imag()) * pc.imag();
      const double xi = double(rho.real()) * pc.imag() + double(rho.imag()) * pc.real();
      acc[0] += double(pr.real()) * xr + double(pr.imag()) * xi;
    });
    return s[0];
  }

  // P(qubit = 1) = Σ_{r: bit q of r = 1} ρ_rr / Tr ρ.
  double probability_one(const density_type& dm, unsigned qubit) const {
    check(dm, {qubit});
    const auto s = diagonal_sums(dm, std::size_t{1} << qubit, 1);
    return s[1] / s[0];
  }

  // The diagonal ρ_rr, r = 0 … 2^n − 1 (basis-state probabilities).
  std::vector<double> probabilities(const density_type& dm) const {
    const auto h = to_host(dm);
    std::vector<double> p(dm.dim());
    for (std::size_t r = 0; r < dm.dim(); ++r) p[r] = h[r * dm.dim() + r].real();
    return p;
  }

  // ρ as a row-major dim x dim host matrix.
  std::vector<cplx> to_host(const density_type& dm) const {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dm.vec.amps);
    const std::size_t d = dm.dim();
    std::vector<cplx> out(d * d);
    for (std::size_t r = 0; r < d; ++r)
      for (std::size_t c = 0; c < d; ++c) out[r * d + c] = cplx(h(r + c * d).real(), h(r + c * d).imag());
    return out;
  }

 private:
  Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>> policy(std::size_t n) const {
    return Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>>(exec_, 0, n);
  }

  static void check(const density_type& dm, const std::vector<unsigned>& qubits) {
    for (unsigned q : qubits)
      if (q >= dm.num_qubits)
        throw std::invalid_argument("quantum: qubit " + std::to_string(q) + " out of range for a " +
                                    std::to_string(dm.num_qubits) + "-qubit density matrix");
  }

  // {Σ_r Re ρ_rr, Σ_{r & mask == want·mask} Re ρ_rr} over the diagonal.
  std::array<double, 2> diagonal_sums(const density_type& dm, std::size_t mask, int want) const {
    const unsigned n = dm.num_qubits;
    auto v = dm.vec.amps;
    return ordered_block_sums<2, MemorySpace>(exec_, dm.dim(), KOKKOS_LAMBDA(std::size_t r, double* acc) {
      const double d = v(r + (r << n)).real();
      acc[0] += d;
      if (((r & mask) != 0) == (want != 0)) acc[1] += d;
    });
  }

  ExecSpace exec_;
  StateSpace<Real, MemorySpace, ExecSpace> space_;
  StateVectorSimulator<Real, MemorySpace, ExecSpace> sim_;
};

}  // namespace moesim::quantum
