// Gate application of the state-vector engine (issue 5), separate from the
// state space (state_space.hpp) as in qsim. Kernels: a dense single-qubit
// 2x2 unitary, the same with one or more controls (on |1⟩), a dense
// two-qubit 4x4 unitary and a diagonal gate on up to kMaxDiagonalQubits
// qubits. Matrices come from gates.hpp in double and are rounded to Real.
// Every kernel is one parallel_for over the amplitude groups it mixes, so
// there is no reduction and results do not depend on the thread count. On
// host memory the uncontrolled 1-qubit gate (the benchmarked kernel) runs
// over contiguous runs with SIMD inner loops (simulator_kernels.cpp).
// reference.hpp holds a plain-loop oracle that the tests compare against.
#pragma once
#include "models/quantum/gates.hpp"
#include "models/quantum/state_space.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace moesim::quantum {

inline constexpr unsigned kMaxDiagonalQubits = 6;
inline constexpr unsigned kMaxFixedBits = 64;

namespace detail {

// Sorted bit positions with a zero inserted at each: maps a compact counter
// k over the remaining bits to a full basis index whose listed bits are 0.
struct BitInserter {
  unsigned count = 0;
  unsigned pos[kMaxFixedBits] = {};
  KOKKOS_INLINE_FUNCTION std::size_t operator()(std::size_t k) const {
    for (unsigned j = 0; j < count; ++j) {
      const std::size_t low = k & ((std::size_t{1} << pos[j]) - 1);
      k = ((k >> pos[j]) << (pos[j] + 1)) | low;
    }
    return k;
  }
};

inline BitInserter make_inserter(std::vector<unsigned> qubits) {
  std::sort(qubits.begin(), qubits.end());
  BitInserter ins;
  ins.count = static_cast<unsigned>(qubits.size());
  for (std::size_t j = 0; j < qubits.size(); ++j) ins.pos[j] = qubits[j];
  return ins;
}

template <class Real>
struct Mat2 {
  Kokkos::complex<Real> m[4];
};
template <class Real>
struct Mat4 {
  Kokkos::complex<Real> m[16];
};
template <class Real>
struct Diag {
  Kokkos::complex<Real> d[std::size_t{1} << kMaxDiagonalQubits];
  unsigned q[kMaxDiagonalQubits] = {};
  unsigned k = 0;
};

// Host inner loops of the dense 1-qubit gate (simulator_kernels.cpp), on
// amplitudes seen as interleaved (re, im) reals; m is the row-major 2x2
// matrix as 8 reals. gate1_runs handles the amplitude pairs k ∈ [k0, k0 +
// count) of a target t ≥ 3 (pair k: k with a 0 inserted at bit t, and that
// index + 2^t); gate1_low mixes i with i + 2^t (t < 3) inside a block of len
// amplitudes.
void gate1_runs(float* data, std::size_t k0, std::size_t count, unsigned t, const float* m);
void gate1_runs(double* data, std::size_t k0, std::size_t count, unsigned t, const double* m);
void gate1_low(float* p, std::size_t len, unsigned t, const float* m);
void gate1_low(double* p, std::size_t len, unsigned t, const double* m);

// Amplitudes per parallel iteration of the host 1-qubit kernel: large enough
// for a vectorised inner loop, small enough to balance threads.
inline constexpr std::size_t kGate1Chunk = 2048;

}  // namespace detail

template <class Real, class MemorySpace = Kokkos::HostSpace,
          class ExecSpace = typename MemorySpace::execution_space>
class StateVectorSimulator {
 public:
  using complex_type = Kokkos::complex<Real>;
  using state_type = State<Real, MemorySpace>;
  using view_type = typename state_type::view_type;

  explicit StateVectorSimulator(const ExecSpace& exec = ExecSpace()) : exec_(exec) {}
  const ExecSpace& exec() const { return exec_; }

  // Dense 2x2 unitary on qubit `target`.
  void apply_gate(state_type& st, unsigned target, const Gate1& g) const {
    if constexpr (std::is_same_v<MemorySpace, Kokkos::HostSpace> &&
                  (std::is_same_v<Real, float> || std::is_same_v<Real, double>)) {
      if (st.num_qubits >= 4 && target < st.num_qubits) {
        apply_gate_host(st, target, g);
        return;
      }
    }
    apply_controlled_gate(st, {}, target, g);
  }

  // Dense 2x2 unitary on `target`, applied where every control qubit is |1⟩.
  void apply_controlled_gate(state_type& st, const std::vector<unsigned>& controls, unsigned target,
                             const Gate1& g) const {
    std::vector<unsigned> fixed(controls);
    fixed.push_back(target);
    check_qubits(st, fixed);
    const detail::BitInserter ins = detail::make_inserter(fixed);
    std::size_t cmask = 0;
    for (unsigned c : controls) cmask |= std::size_t{1} << c;
    const std::size_t tbit = std::size_t{1} << target;
    detail::Mat2<Real> m;
    for (int e = 0; e < 4; ++e) m.m[e] = complex_type(Real(g.m[e].real()), Real(g.m[e].imag()));
    view_type a = st.amps;
    const std::size_t groups = st.size() >> fixed.size();
    Kokkos::parallel_for(
        "quantum.apply_1q", policy(groups), KOKKOS_LAMBDA(const std::size_t k) {
          const std::size_t i0 = ins(k) | cmask, i1 = i0 | tbit;
          const complex_type v0 = a(i0), v1 = a(i1);
          a(i0) = m.m[0] * v0 + m.m[1] * v1;
          a(i1) = m.m[2] * v0 + m.m[3] * v1;
        });
    exec_.fence();
  }

  // Dense 4x4 unitary on qubits (qa, qb); local index bit(qa) + 2*bit(qb)
  // (gates.hpp), so cx() on (c, t) is CNOT with control c.
  void apply_gate2(state_type& st, unsigned qa, unsigned qb, const Gate2& g) const {
    check_qubits(st, {qa, qb});
    const detail::BitInserter ins = detail::make_inserter({qa, qb});
    const std::size_t ba = std::size_t{1} << qa, bb = std::size_t{1} << qb;
    detail::Mat4<Real> m;
    for (int e = 0; e < 16; ++e) m.m[e] = complex_type(Real(g.m[e].real()), Real(g.m[e].imag()));
    view_type a = st.amps;
    Kokkos::parallel_for(
        "quantum.apply_2q", policy(st.size() >> 2), KOKKOS_LAMBDA(const std::size_t k) {
          const std::size_t base = ins(k);
          const std::size_t idx[4] = {base, base | ba, base | bb, base | ba | bb};
          complex_type v[4];
          for (int r = 0; r < 4; ++r) v[r] = a(idx[r]);
          for (int r = 0; r < 4; ++r) {
            complex_type s = m.m[4 * r] * v[0];
            for (int c = 1; c < 4; ++c) s += m.m[4 * r + c] * v[c];
            a(idx[r]) = s;
          }
        });
    exec_.fence();
  }

  // Diagonal gate: amplitude i is multiplied by diag[Σ_j bit(qubits[j]) << j].
  // diag has 2^qubits.size() entries; at most kMaxDiagonalQubits qubits.
  void apply_diagonal(state_type& st, const std::vector<unsigned>& qubits,
                      const std::vector<cplx>& diag) const {
    if (qubits.size() > kMaxDiagonalQubits)
      throw std::invalid_argument("quantum: diagonal gate on more than " +
                                  std::to_string(kMaxDiagonalQubits) + " qubits");
    if (diag.size() != (std::size_t{1} << qubits.size()))
      throw std::invalid_argument("quantum: diagonal gate needs 2^k entries");
    check_qubits(st, qubits);
    detail::Diag<Real> d;
    d.k = static_cast<unsigned>(qubits.size());
    for (std::size_t j = 0; j < qubits.size(); ++j) d.q[j] = qubits[j];
    for (std::size_t e = 0; e < diag.size(); ++e) d.d[e] = complex_type(Real(diag[e].real()), Real(diag[e].imag()));
    view_type a = st.amps;
    Kokkos::parallel_for(
        "quantum.apply_diagonal", policy(st.size()), KOKKOS_LAMBDA(const std::size_t i) {
          std::size_t e = 0;
          for (unsigned j = 0; j < d.k; ++j) e |= ((i >> d.q[j]) & 1u) << j;
          a(i) *= d.d[e];
        });
    exec_.fence();
  }

  // Phase e^{iλ} on the states where every listed qubit is |1⟩ (p, cp, ccp, …).
  void apply_phase(state_type& st, const std::vector<unsigned>& qubits, double lambda) const {
    std::vector<cplx> diag(std::size_t{1} << qubits.size(), cplx(1.0, 0.0));
    diag.back() = gates::expi(lambda);
    apply_diagonal(st, qubits, diag);
  }

 private:
  // Host path of apply_gate: the index space splits into high and low parts
  // around the target, so each parallel iteration handles a fixed number of
  // pairs as contiguous runs of up to 2^target amplitudes (target ≥ 3) or one
  // contiguous block (target < 3), with a SIMD inner loop instead of a
  // per-amplitude bit insertion.
  void apply_gate_host(state_type& st, unsigned target, const Gate1& g) const {
    Real m[8];
    for (int e = 0; e < 4; ++e) {
      m[2 * e] = Real(g.m[e].real());
      m[2 * e + 1] = Real(g.m[e].imag());
    }
    Real* data = reinterpret_cast<Real*>(st.amps.data());
    const std::size_t size = st.size();
    if (target >= 3) {
      // Fixed work per iteration (kGate1Chunk pairs), made of runs of up to
      // 2^target contiguous amplitudes.
      const std::size_t pairs = size / 2;
      const std::size_t work = std::min(pairs, detail::kGate1Chunk);
      Kokkos::parallel_for(
          "quantum.apply_1q_host", policy(pairs / work),
          [=](const std::size_t c) { detail::gate1_runs(data, c * work, work, target, m); });
    } else {
      const std::size_t block = std::min(size, detail::kGate1Chunk);
      Kokkos::parallel_for(
          "quantum.apply_1q_host_low", policy(size / block),
          [=](const std::size_t b) { detail::gate1_low(data + 2 * b * block, block, target, m); });
    }
    exec_.fence();
  }

  Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>> policy(std::size_t n) const {
    return Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>>(exec_, 0, n);
  }

  static void check_qubits(const state_type& st, const std::vector<unsigned>& qubits) {
    std::size_t seen = 0;
    for (unsigned q : qubits) {
      if (q >= st.num_qubits)
        throw std::invalid_argument("quantum: qubit " + std::to_string(q) + " out of range for " +
                                    std::to_string(st.num_qubits) + " qubits");
      if (seen & (std::size_t{1} << q))
        throw std::invalid_argument("quantum: qubit " + std::to_string(q) + " used twice in one gate");
      seen |= std::size_t{1} << q;
    }
  }

  ExecSpace exec_;
};

}  // namespace moesim::quantum
