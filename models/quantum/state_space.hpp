// State space of the state-vector engine (issue 5): the storage of one n-qubit
// register and every operation on a state that is not a gate — creation, basis
// states, norm, inner products, probabilities, shot sampling and Pauli
// expectation values. Gate application lives in simulator.hpp (as in qsim,
// where StateSpace and Simulator are separate).
//
// Templated on the floating type (float or double), the Kokkos memory space
// and the execution space; the execution-space instance is passed to the
// constructor, there are no globals. Amplitude i is the coefficient of the
// basis state whose bit q is qubit q (qubit 0 = least significant bit).
// Indices are size_t, so registers are bounded only by memory.
//
// Determinism (DESIGN.md §5): every reduction sums fixed blocks of
// kReduceBlock amplitudes sequentially, one block per parallel iteration, and
// combines the block sums in index order on the host. Results are therefore
// bit-identical for any thread count and any execution space.
#pragma once
#include "core/philox.hpp"

#include <Kokkos_Core.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace moesim::quantum {

// Philox stream of shot sampling (a caller may pass any other key).
inline constexpr std::uint64_t kSamplingStream = moesim::streams::kUser + 500;

inline constexpr std::size_t kReduceBlock = 4096;

template <class Real, class MemorySpace>
struct State {
  using complex_type = Kokkos::complex<Real>;
  using view_type = Kokkos::View<complex_type*, MemorySpace>;
  unsigned num_qubits = 0;
  view_type amps;
  std::size_t size() const { return amps.extent(0); }
};

template <class Real, class MemorySpace = Kokkos::HostSpace,
          class ExecSpace = typename MemorySpace::execution_space>
class StateSpace {
 public:
  using real_type = Real;
  using complex_type = Kokkos::complex<Real>;
  using state_type = State<Real, MemorySpace>;
  using view_type = typename state_type::view_type;
  using execution_space = ExecSpace;
  using memory_space = MemorySpace;

  explicit StateSpace(const ExecSpace& exec = ExecSpace()) : exec_(exec) {}
  const ExecSpace& exec() const { return exec_; }

  // A register of n qubits in |0…0⟩.
  state_type create(unsigned num_qubits) const {
    if (num_qubits >= 8 * sizeof(std::size_t) - 1)
      throw std::invalid_argument("quantum: too many qubits: " + std::to_string(num_qubits));
    state_type st;
    st.num_qubits = num_qubits;
    st.amps = view_type(Kokkos::view_alloc(std::string("quantum.state"), Kokkos::WithoutInitializing),
                        std::size_t{1} << num_qubits);
    set_basis_state(st, 0);
    return st;
  }

  // |index⟩ (bit q of index = qubit q).
  void set_basis_state(state_type& st, std::size_t index) const {
    if (index >= st.size())
      throw std::invalid_argument("quantum: basis state " + std::to_string(index) +
                                  " out of range for " + std::to_string(st.num_qubits) + " qubits");
    view_type a = st.amps;
    Kokkos::parallel_for(
        "quantum.set_basis", policy(st.size()), KOKKOS_LAMBDA(const std::size_t i) {
          a(i) = complex_type(i == index ? Real(1) : Real(0), Real(0));
        });
    exec_.fence();
  }

  void copy(const state_type& src, state_type& dst) const {
    if (dst.size() != src.size()) throw std::invalid_argument("quantum: copy between sizes");
    Kokkos::deep_copy(dst.amps, src.amps);
    dst.num_qubits = src.num_qubits;
  }

  // Σ |a_i|², deterministic (fixed blocks, index-order combination).
  double norm2(const state_type& st) const {
    view_type a = st.amps;
    return block_sum(st.size(), KOKKOS_LAMBDA(std::size_t i) {
      return double(a(i).real()) * a(i).real() + double(a(i).imag()) * a(i).imag();
    });
  }

  // Scales to norm 1; returns the norm² before scaling. Throws on a zero state.
  double normalise(state_type& st) const {
    const double n2 = norm2(st);
    if (!(n2 > 0)) throw std::runtime_error("quantum: cannot normalise a zero state");
    const Real scale = Real(1.0 / std::sqrt(n2));
    view_type a = st.amps;
    Kokkos::parallel_for(
        "quantum.normalise", policy(st.size()), KOKKOS_LAMBDA(const std::size_t i) { a(i) *= scale; });
    exec_.fence();
    return n2;
  }

  // ⟨a|b⟩ = Σ conj(a_i) b_i.
  Kokkos::complex<double> inner_product(const state_type& sa, const state_type& sb) const {
    if (sa.size() != sb.size()) throw std::invalid_argument("quantum: inner product of different sizes");
    view_type a = sa.amps, b = sb.amps;
    return block_sum_complex(sa.size(), KOKKOS_LAMBDA(std::size_t i, double& re, double& im) {
      const double ar = a(i).real(), ai = a(i).imag(), br = b(i).real(), bi = b(i).imag();
      re += ar * br + ai * bi;
      im += ar * bi - ai * br;
    });
  }

  // |⟨a|b⟩|² (for normalised states).
  double fidelity(const state_type& a, const state_type& b) const {
    const auto ip = inner_product(a, b);
    return ip.real() * ip.real() + ip.imag() * ip.imag();
  }

  // Probability |a_i|² of every basis state, in memory space MemorySpace.
  Kokkos::View<Real*, MemorySpace> probabilities(const state_type& st) const {
    Kokkos::View<Real*, MemorySpace> p(Kokkos::view_alloc(std::string("quantum.probabilities"),
                                                          Kokkos::WithoutInitializing),
                                       st.size());
    view_type a = st.amps;
    Kokkos::parallel_for(
        "quantum.probabilities", policy(st.size()),
        KOKKOS_LAMBDA(const std::size_t i) { p(i) = a(i).real() * a(i).real() + a(i).imag() * a(i).imag(); });
    exec_.fence();
    return p;
  }

  // `shots` basis-state indices drawn from |a_i|² / Σ|a|² (the state need not
  // be normalised). Shot s uses Philox::uniform(key, s), and the cumulative
  // distribution is built block-wise in index order, so the result depends on
  // the key alone, never on the thread count. The state is not changed.
  std::vector<std::uint64_t> sample(const state_type& st, std::uint64_t shots, PhiloxKey key) const {
    const std::size_t n = st.size();
    const std::size_t nblocks = (n + kReduceBlock - 1) / kReduceBlock;
    view_type a = st.amps;
    // 1. block sums of probabilities (sequential within a block, double).
    Kokkos::View<double*, MemorySpace> block("quantum.sample.blocks", nblocks);
    Kokkos::parallel_for(
        "quantum.sample.block_sums", policy(nblocks), KOKKOS_LAMBDA(const std::size_t b) {
          const std::size_t lo = b * kReduceBlock, hi = lo + kReduceBlock < n ? lo + kReduceBlock : n;
          double s = 0;
          for (std::size_t i = lo; i < hi; ++i)
            s += double(a(i).real()) * a(i).real() + double(a(i).imag()) * a(i).imag();
          block(b) = s;
        });
    exec_.fence();
    // 2. exclusive prefix over blocks, in index order on the host.
    auto hblock = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), block);
    double total = 0;
    for (std::size_t b = 0; b < nblocks; ++b) {
      const double s = hblock(b);
      hblock(b) = total;
      total += s;
    }
    if (!(total > 0)) throw std::runtime_error("quantum: cannot sample a zero state");
    Kokkos::deep_copy(block, hblock);
    // 3. inclusive cumulative distribution inside each block.
    Kokkos::View<double*, MemorySpace> cum(
        Kokkos::view_alloc(std::string("quantum.sample.cdf"), Kokkos::WithoutInitializing), n);
    Kokkos::parallel_for(
        "quantum.sample.cdf", policy(nblocks), KOKKOS_LAMBDA(const std::size_t b) {
          const std::size_t lo = b * kReduceBlock, hi = lo + kReduceBlock < n ? lo + kReduceBlock : n;
          double s = block(b);
          for (std::size_t i = lo; i < hi; ++i) {
            s += double(a(i).real()) * a(i).real() + double(a(i).imag()) * a(i).imag();
            cum(i) = s;
          }
        });
    // 4. one draw per shot: the first index with cum(i) > u·total.
    Kokkos::View<std::uint64_t*, MemorySpace> out("quantum.sample.shots", shots);
    Kokkos::parallel_for(
        "quantum.sample.draw", policy(shots), KOKKOS_LAMBDA(const std::size_t s) {
          const double u = Philox::uniform(key, s) * total;
          std::size_t lo = 0, hi = n;  // find first i in [lo, hi) with cum(i) > u
          while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (cum(mid) > u) hi = mid; else lo = mid + 1;
          }
          if (lo == n) lo = n - 1;  // u rounded up to total
          // never return a zero-probability state (possible only after the clamp)
          while (lo > 0 && cum(lo) == cum(lo - 1)) --lo;
          out(s) = lo;
        });
    exec_.fence();
    auto hout = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    return std::vector<std::uint64_t>(hout.data(), hout.data() + shots);
  }

  // ⟨ψ|P|ψ⟩ for a Pauli string over all qubits, Qiskit order: the rightmost
  // character acts on qubit 0 (e.g. "XZIY": Y on qubit 0, Z on qubit 2).
  // Characters I, X, Y, Z; the length must equal the number of qubits. The
  // state is taken as given (normalise first for an expectation value).
  double expectation_pauli(const state_type& st, const std::string& pauli) const {
    if (pauli.size() != st.num_qubits)
      throw std::invalid_argument("quantum: Pauli string '" + pauli + "' has " +
                                  std::to_string(pauli.size()) + " characters for " +
                                  std::to_string(st.num_qubits) + " qubits");
    std::size_t flip = 0, sign = 0;  // X or Y flip a bit; Z or Y give (−1)^bit
    unsigned ny = 0;
    for (std::size_t c = 0; c < pauli.size(); ++c) {
      const std::size_t bit = std::size_t{1} << (pauli.size() - 1 - c);
      switch (pauli[c]) {
        case 'I': break;
        case 'X': flip |= bit; break;
        case 'Y': flip |= bit; sign |= bit; ++ny; break;
        case 'Z': sign |= bit; break;
        default:
          throw std::invalid_argument("quantum: Pauli string '" + pauli + "' has character '" +
                                      std::string(1, pauli[c]) + "' (accepted: I, X, Y, Z)");
      }
    }
    // Y = i·X·Z, so P|i⟩ = i^{ny} (−1)^{popcount(i & sign)} |i ^ flip⟩ and
    // ⟨ψ|P|ψ⟩ = i^{ny} Σ_i (−1)^{popcount(i & sign)} conj(ψ_{i^flip}) ψ_i.
    view_type a = st.amps;
    const auto sum = block_sum_complex(st.size(), KOKKOS_LAMBDA(std::size_t i, double& re, double& im) {
      const std::size_t j = i ^ flip;
      const double ar = a(j).real(), ai = a(j).imag(), br = a(i).real(), bi = a(i).imag();
      std::size_t v = i & sign;
      int parity = 0;
      while (v) { parity ^= 1; v &= v - 1; }
      const double sg = parity ? -1.0 : 1.0;
      re += sg * (ar * br + ai * bi);
      im += sg * (ar * bi - ai * br);
    });
    // multiply by i^{ny}; the result of a Hermitian P is real.
    switch (ny % 4) {
      case 0: return sum.real();
      case 1: return -sum.imag();
      case 2: return -sum.real();
      default: return sum.imag();
    }
  }

  // Host copy of the amplitudes (for tests and output).
  std::vector<Kokkos::complex<double>> to_host(const state_type& st) const {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), st.amps);
    std::vector<Kokkos::complex<double>> out(st.size());
    for (std::size_t i = 0; i < st.size(); ++i) out[i] = Kokkos::complex<double>(h(i).real(), h(i).imag());
    return out;
  }

  // Sets amplitudes from a host vector of size 2^n.
  void from_host(state_type& st, const std::vector<Kokkos::complex<double>>& v) const {
    if (v.size() != st.size()) throw std::invalid_argument("quantum: from_host size mismatch");
    auto h = Kokkos::create_mirror_view(st.amps);
    for (std::size_t i = 0; i < v.size(); ++i) h(i) = complex_type(Real(v[i].real()), Real(v[i].imag()));
    Kokkos::deep_copy(st.amps, h);
  }

 private:
  Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>> policy(std::size_t n) const {
    return Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>>(exec_, 0, n);
  }

  // Σ_i f(i) over [0, n): fixed blocks summed sequentially, block sums
  // combined in index order on the host.
  template <class F>
  double block_sum(std::size_t n, F f) const {
    const std::size_t nblocks = (n + kReduceBlock - 1) / kReduceBlock;
    Kokkos::View<double*, MemorySpace> part("quantum.block_sum", nblocks);
    Kokkos::parallel_for(
        "quantum.block_sum", policy(nblocks), KOKKOS_LAMBDA(const std::size_t b) {
          const std::size_t lo = b * kReduceBlock, hi = lo + kReduceBlock < n ? lo + kReduceBlock : n;
          double s = 0;
          for (std::size_t i = lo; i < hi; ++i) s += f(i);
          part(b) = s;
        });
    exec_.fence();
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), part);
    double total = 0;
    for (std::size_t b = 0; b < nblocks; ++b) total += h(b);
    return total;
  }

  // Complex version: f(i, re, im) accumulates into (re, im).
  template <class F>
  Kokkos::complex<double> block_sum_complex(std::size_t n, F f) const {
    const std::size_t nblocks = (n + kReduceBlock - 1) / kReduceBlock;
    Kokkos::View<double* [2], MemorySpace> part("quantum.block_sum_complex", nblocks);
    Kokkos::parallel_for(
        "quantum.block_sum_complex", policy(nblocks), KOKKOS_LAMBDA(const std::size_t b) {
          const std::size_t lo = b * kReduceBlock, hi = lo + kReduceBlock < n ? lo + kReduceBlock : n;
          double re = 0, im = 0;
          for (std::size_t i = lo; i < hi; ++i) f(i, re, im);
          part(b, 0) = re;
          part(b, 1) = im;
        });
    exec_.fence();
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), part);
    double re = 0, im = 0;
    for (std::size_t b = 0; b < nblocks; ++b) {
      re += h(b, 0);
      im += h(b, 1);
    }
    return Kokkos::complex<double>(re, im);
  }

  ExecSpace exec_;
};

}  // namespace moesim::quantum
