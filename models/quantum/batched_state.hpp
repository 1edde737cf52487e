// Batched small registers (issue 5): one n-qubit register per token, n ≤ 12,
// for the quantum router. A batch of B registers is stored structure-of-arrays
// in blocks of kBatchLanes registers:
//     re[((block · 2^n) + i) · kBatchLanes + lane]   (im likewise)
// so a gate on basis pair (i0, i1) touches two contiguous runs of kBatchLanes
// values (one cache line in float), and the inner loop over the registers of a
// block vectorises. A whole circuit (a BatchedProgram) is applied block by
// block while the block is in cache (one parallel_for over blocks), which is
// what makes small registers fast: a single gate sweep over 2^16 registers is
// memory-bound, a circuit on a cache-resident block is flop-bound. Two
// consecutive single-qubit gates on different qubits are fused into one
// sweep over the block (same arithmetic, half the loads and stores).
//
// Rotation gates take a per-register angle from a BatchedAngles table (slot s
// of register b: cos(θ/2), sin(θ/2) precomputed once per forward), so every
// token can have its own encoding angles and each parameter-shift evaluation
// its own shifted angle. Fixed gates: dense 2x2, CZ and CX.
//
// Templated on the floating type and the memory space, the execution-space
// instance is passed in. Every kernel writes disjoint registers: no
// reductions, results independent of the thread count. reference.hpp holds the
// plain-loop oracle (apply_batched_program_reference).
#pragma once
#include "core/philox.hpp"
#include "models/quantum/gates.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace moesim::quantum {

inline constexpr unsigned kMaxBatchedQubits = 12;
inline constexpr std::size_t kBatchLanes = 16;
// Philox stream of per-register shot sampling (streams::kUser + 501).
inline constexpr std::uint64_t kBatchedSamplingStream = moesim::streams::kUser + 501;
// Shots per register and draw are addressed as counter = (register << 24) | shot.
inline constexpr std::uint64_t kMaxShotsPerRegister = std::uint64_t{1} << 24;

enum class BatchedOpKind : int { RY = 0, RZ = 1, RX = 2, Dense = 3, CZ = 4, CX = 5 };

// One gate of a batched circuit. Rotations read angle slot `slot` of each
// register (slot < 0: the fixed `angle` for every register); Dense uses
// `gate`; CZ / CX act on (q0, q1) with q0 the control.
struct BatchedOp {
  BatchedOpKind kind = BatchedOpKind::RY;
  unsigned q0 = 0, q1 = 0;
  int slot = -1;
  double angle = 0.0;
  Gate1 gate = gates::id();
};
using BatchedProgram = std::vector<BatchedOp>;

template <class Real, class MemorySpace>
struct BatchedState {
  unsigned num_qubits = 0;
  std::size_t batch = 0;   // registers
  std::size_t blocks = 0;  // ceil(batch / kBatchLanes)
  Kokkos::View<Real*, MemorySpace> re, im;
  std::size_t dim() const { return std::size_t{1} << num_qubits; }
};

// cos(θ/2), sin(θ/2) of `slots` angles per register, laid out as the state:
// [block][slot][lane].
template <class Real, class MemorySpace>
struct BatchedAngles {
  std::size_t batch = 0, slots = 0, blocks = 0;
  Kokkos::View<Real*, MemorySpace> c, s;
};

namespace detail {

template <class Real>
struct BatchedOpPod {
  int kind, q0, q1, slot;
  Real c, s;      // fixed rotation
  Real m[8];      // dense: re/im of m00, m01, m10, m11
};

// One single-qubit gate on one lane's amplitude pair (a0 + i b0, a1 + i b1):
// K = BatchedOpKind RY / RZ / RX with (c, s) = cos, sin of θ/2, or Dense
// with m = re/im of m00, m01, m10, m11.
template <int K, class Real>
KOKKOS_FORCEINLINE_FUNCTION void gate_1q(Real c, Real s, const Real* m, Real& a0, Real& b0, Real& a1, Real& b1) {
  const Real x0 = a0, y0 = b0, x1 = a1, y1 = b1;
  if constexpr (K == int(BatchedOpKind::RY)) {
    a0 = c * x0 - s * x1;
    b0 = c * y0 - s * y1;
    a1 = s * x0 + c * x1;
    b1 = s * y0 + c * y1;
  } else if constexpr (K == int(BatchedOpKind::RZ)) {
    a0 = c * x0 + s * y0;
    b0 = c * y0 - s * x0;
    a1 = c * x1 - s * y1;
    b1 = c * y1 + s * x1;
  } else if constexpr (K == int(BatchedOpKind::RX)) {
    a0 = c * x0 + s * y1;
    b0 = c * y0 - s * x1;
    a1 = c * x1 + s * y0;
    b1 = c * y1 - s * x0;
  } else {
    a0 = m[0] * x0 - m[1] * y0 + m[2] * x1 - m[3] * y1;
    b0 = m[0] * y0 + m[1] * x0 + m[2] * y1 + m[3] * x1;
    a1 = m[4] * x0 - m[5] * y0 + m[6] * x1 - m[7] * y1;
    b1 = m[4] * y0 + m[5] * x0 + m[6] * y1 + m[7] * x1;
  }
}

// Two consecutive single-qubit gates A (on qa) then B (on qb ≠ qa), fused:
// each group of four amplitudes is loaded once, A acts on its two qa-pairs,
// B on its two qb-pairs, and it is stored once. The arithmetic per amplitude
// is exactly that of applying A, then B (bit-identical results), with half
// the loads and stores.
template <int KA, int KB, class Real>
KOKKOS_INLINE_FUNCTION void fused_pair(Real* __restrict re, Real* __restrict im, unsigned n, unsigned qa,
                                       unsigned qb, const Real* __restrict ca, const Real* __restrict sa,
                                       const Real* ma, const Real* __restrict cb, const Real* __restrict sb,
                                       const Real* mb) {
  constexpr std::size_t L = kBatchLanes;
  const std::size_t ba = std::size_t{1} << qa, bb = std::size_t{1} << qb;
  const unsigned lo = qa < qb ? qa : qb, hi = qa < qb ? qb : qa;
  const std::size_t quarter = std::size_t{1} << (n - 2);
  for (std::size_t k = 0; k < quarter; ++k) {
    std::size_t i = ((k >> lo) << (lo + 1)) | (k & ((std::size_t{1} << lo) - 1));
    i = ((i >> hi) << (hi + 1)) | (i & ((std::size_t{1} << hi) - 1));
    Real* __restrict r00 = re + i * L;
    Real* __restrict m00 = im + i * L;
    Real* __restrict r01 = re + (i | ba) * L;
    Real* __restrict m01 = im + (i | ba) * L;
    Real* __restrict r10 = re + (i | bb) * L;
    Real* __restrict m10 = im + (i | bb) * L;
    Real* __restrict r11 = re + (i | ba | bb) * L;
    Real* __restrict m11 = im + (i | ba | bb) * L;
#if defined(_OPENMP)
#pragma omp simd
#endif
    for (std::size_t w = 0; w < L; ++w) {
      Real x00 = r00[w], y00 = m00[w], x01 = r01[w], y01 = m01[w];
      Real x10 = r10[w], y10 = m10[w], x11 = r11[w], y11 = m11[w];
      gate_1q<KA>(ca[w], sa[w], ma, x00, y00, x01, y01);
      gate_1q<KA>(ca[w], sa[w], ma, x10, y10, x11, y11);
      gate_1q<KB>(cb[w], sb[w], mb, x00, y00, x10, y10);
      gate_1q<KB>(cb[w], sb[w], mb, x01, y01, x11, y11);
      r00[w] = x00; m00[w] = y00; r01[w] = x01; m01[w] = y01;
      r10[w] = x10; m10[w] = y10; r11[w] = x11; m11[w] = y11;
    }
  }
}

template <int KA, class Real>
KOKKOS_INLINE_FUNCTION void fused_pair_b(int kb, Real* re, Real* im, unsigned n, unsigned qa, unsigned qb,
                                         const Real* ca, const Real* sa, const Real* ma, const Real* cb,
                                         const Real* sb, const Real* mb) {
  switch (kb) {
    case 0: fused_pair<KA, 0>(re, im, n, qa, qb, ca, sa, ma, cb, sb, mb); break;
    case 1: fused_pair<KA, 1>(re, im, n, qa, qb, ca, sa, ma, cb, sb, mb); break;
    case 2: fused_pair<KA, 2>(re, im, n, qa, qb, ca, sa, ma, cb, sb, mb); break;
    default: fused_pair<KA, 3>(re, im, n, qa, qb, ca, sa, ma, cb, sb, mb); break;
  }
}

// Applies ops[0..nops) to one block (re, im point at the block's first
// amplitude; c, s at the block's angle table).
template <class Real>
KOKKOS_INLINE_FUNCTION void apply_block(Real* __restrict re, Real* __restrict im, const Real* ac,
                                        const Real* as, std::size_t slots, unsigned n,
                                        const BatchedOpPod<Real>* ops, std::size_t nops) {
  constexpr std::size_t L = kBatchLanes;
  const std::size_t half = std::size_t{1} << (n - 1), dim = std::size_t{1} << n;
  (void)slots;
  for (std::size_t o = 0; o < nops; ++o) {
    const BatchedOpPod<Real> op = ops[o];
    if (op.kind == int(BatchedOpKind::CZ) || op.kind == int(BatchedOpKind::CX)) {
      const std::size_t cb = std::size_t{1} << op.q0, tb = std::size_t{1} << op.q1;
      for (std::size_t i = 0; i < dim; ++i) {
        if (!(i & cb) || !(i & tb)) continue;
        Real* r1 = re + i * L;
        Real* m1 = im + i * L;
        if (op.kind == int(BatchedOpKind::CZ)) {
          for (std::size_t w = 0; w < L; ++w) {
            r1[w] = -r1[w];
            m1[w] = -m1[w];
          }
        } else {  // swap with the partner whose target bit is 0
          Real* r0 = re + (i ^ tb) * L;
          Real* m0 = im + (i ^ tb) * L;
          for (std::size_t w = 0; w < L; ++w) {
            const Real a = r0[w], b = m0[w];
            r0[w] = r1[w];
            m0[w] = m1[w];
            r1[w] = a;
            m1[w] = b;
          }
        }
      }
      continue;
    }
    // Per-lane (c, s): the angle table's row of this slot, or the fixed angle
    // broadcast into a local row.
    Real fc[L], fs[L], gc[L], gs[L];
    auto lanes = [&](const BatchedOpPod<Real>& g, Real* bc, Real* bs, const Real*& pc, const Real*& ps) {
      if (g.slot >= 0) {
        pc = ac + std::size_t(g.slot) * L;
        ps = as + std::size_t(g.slot) * L;
        return;
      }
      for (std::size_t w = 0; w < L; ++w) {
        bc[w] = g.c;
        bs[w] = g.s;
      }
      pc = bc;
      ps = bs;
    };
    const Real* cc = fc;
    const Real* ss = fs;
    lanes(op, fc, fs, cc, ss);
    // A following single-qubit gate on another qubit: apply both in one sweep.
    if (n >= 2 && o + 1 < nops && ops[o + 1].kind <= int(BatchedOpKind::Dense) && ops[o + 1].q0 != op.q0) {
      const BatchedOpPod<Real> nx = ops[o + 1];
      const Real* c2 = gc;
      const Real* s2 = gs;
      lanes(nx, gc, gs, c2, s2);
      const unsigned qa = unsigned(op.q0), qb = unsigned(nx.q0);
      switch (op.kind) {
        case 0: fused_pair_b<0>(nx.kind, re, im, n, qa, qb, cc, ss, op.m, c2, s2, nx.m); break;
        case 1: fused_pair_b<1>(nx.kind, re, im, n, qa, qb, cc, ss, op.m, c2, s2, nx.m); break;
        case 2: fused_pair_b<2>(nx.kind, re, im, n, qa, qb, cc, ss, op.m, c2, s2, nx.m); break;
        default: fused_pair_b<3>(nx.kind, re, im, n, qa, qb, cc, ss, op.m, c2, s2, nx.m); break;
      }
      ++o;
      continue;
    }
    const std::size_t tb = std::size_t{1} << op.q0;
    for (std::size_t k = 0; k < half; ++k) {
      const std::size_t i0 = ((k >> op.q0) << (op.q0 + 1)) | (k & (tb - 1)), i1 = i0 | tb;
      Real* __restrict r0 = re + i0 * L;
      Real* __restrict m0 = im + i0 * L;
      Real* __restrict r1 = re + i1 * L;
      Real* __restrict m1 = im + i1 * L;
      switch (op.kind) {
        case int(BatchedOpKind::RY):  // [[c, -s], [s, c]]
          for (std::size_t w = 0; w < L; ++w) {
            const Real a0 = r0[w], b0 = m0[w], a1 = r1[w], b1 = m1[w];
            r0[w] = cc[w] * a0 - ss[w] * a1;
            m0[w] = cc[w] * b0 - ss[w] * b1;
            r1[w] = ss[w] * a0 + cc[w] * a1;
            m1[w] = ss[w] * b0 + cc[w] * b1;
          }
          break;
        case int(BatchedOpKind::RZ):  // diag(c - i s, c + i s)
          for (std::size_t w = 0; w < L; ++w) {
            const Real a0 = r0[w], b0 = m0[w], a1 = r1[w], b1 = m1[w];
            r0[w] = cc[w] * a0 + ss[w] * b0;
            m0[w] = cc[w] * b0 - ss[w] * a0;
            r1[w] = cc[w] * a1 - ss[w] * b1;
            m1[w] = cc[w] * b1 + ss[w] * a1;
          }
          break;
        case int(BatchedOpKind::RX):  // [[c, -i s], [-i s, c]]
          for (std::size_t w = 0; w < L; ++w) {
            const Real a0 = r0[w], b0 = m0[w], a1 = r1[w], b1 = m1[w];
            r0[w] = cc[w] * a0 + ss[w] * b1;
            m0[w] = cc[w] * b0 - ss[w] * a1;
            r1[w] = cc[w] * a1 + ss[w] * b0;
            m1[w] = cc[w] * b1 - ss[w] * a0;
          }
          break;
        default: {  // Dense
          const Real ar = op.m[0], ai = op.m[1], br = op.m[2], bi = op.m[3];
          const Real cr = op.m[4], ci = op.m[5], dr = op.m[6], di = op.m[7];
          for (std::size_t w = 0; w < L; ++w) {
            const Real a0 = r0[w], b0 = m0[w], a1 = r1[w], b1 = m1[w];
            r0[w] = ar * a0 - ai * b0 + br * a1 - bi * b1;
            m0[w] = ar * b0 + ai * a0 + br * b1 + bi * a1;
            r1[w] = cr * a0 - ci * b0 + dr * a1 - di * b1;
            m1[w] = cr * b0 + ci * a0 + dr * b1 + di * a1;
          }
        }
      }
    }
  }
}

// The block kernel compiled for the host's widest vector unit. The build
// has no -march flags, so batched_kernels.cpp compiles apply_block again
// with AVX2 and AVX-512 enabled and this picks one at run time (same
// arithmetic, no FMA contraction under -std=c++17: results do not depend on
// the choice beyond the order the compiler keeps).
template <class Real>
using BlockKernel = void (*)(Real*, Real*, const Real*, const Real*, std::size_t, unsigned,
                             const BatchedOpPod<Real>*, std::size_t);
template <class Real>
BlockKernel<Real> host_block_kernel();
// "avx512", "avx2" or "generic": the kernel host_block_kernel() picks.
const char* host_block_kernel_name();

}  // namespace detail

template <class Real, class MemorySpace = Kokkos::HostSpace,
          class ExecSpace = typename MemorySpace::execution_space>
class BatchedSimulator {
 public:
  using state_type = BatchedState<Real, MemorySpace>;
  using angles_type = BatchedAngles<Real, MemorySpace>;
  using view_type = Kokkos::View<Real*, MemorySpace>;

  explicit BatchedSimulator(const ExecSpace& exec = ExecSpace()) : exec_(exec) {}
  const ExecSpace& exec() const { return exec_; }

  // `batch` registers of n qubits, each in |0…0⟩.
  state_type create(unsigned num_qubits, std::size_t batch) const {
    if (num_qubits < 1 || num_qubits > kMaxBatchedQubits)
      throw std::invalid_argument("quantum: batched registers need 1 to " +
                                  std::to_string(kMaxBatchedQubits) + " qubits, got " +
                                  std::to_string(num_qubits));
    state_type st;
    st.num_qubits = num_qubits;
    st.batch = batch;
    st.blocks = (batch + kBatchLanes - 1) / kBatchLanes;
    // re and im share one allocation with im 6 KiB past a whole number of
    // 4 KiB pages after re. With two separate allocations their distance was
    // up to the allocator, and at some sizes the kernels ran 1.3-3x slower on
    // Zen 4 (n = 9, batch 65536: 96 vs 45 ns per register-gate); a distance
    // of a power of two was as bad at n >= 10, apparently L1 aliasing of the
    // re and im lines. A page and a half apart was the fastest offset
    // measured for n = 8..12.
    const std::size_t n = st.blocks * st.dim() * kBatchLanes;
    const std::size_t page = 4096 / sizeof(Real), stride = (n + page - 1) / page * page + page + page / 2;
    const view_type both(Kokkos::view_alloc(std::string("quantum.batched.amplitudes"), Kokkos::WithoutInitializing),
                         stride + n);
    st.re = Kokkos::subview(both, std::make_pair(std::size_t{0}, n));
    st.im = Kokkos::subview(both, std::make_pair(stride, stride + n));
    reset(st);
    return st;
  }

  // Every register to |0…0⟩.
  void reset(state_type& st) const {
    view_type re = st.re, im = st.im;
    const std::size_t per_block = st.dim() * kBatchLanes;
    Kokkos::parallel_for(
        "quantum.batched.reset", policy(st.blocks), KOKKOS_LAMBDA(const std::size_t b) {
          for (std::size_t j = 0; j < per_block; ++j) {
            re(b * per_block + j) = Real(j < kBatchLanes ? 1 : 0);
            im(b * per_block + j) = Real(0);
          }
        });
    exec_.fence();
  }

  // angles [batch * slots] (row-major: register, slot) in radians → table.
  angles_type make_angles(const std::vector<double>& angles, std::size_t batch, std::size_t slots) const {
    if (angles.size() != batch * slots)
      throw std::invalid_argument("quantum: angle table needs batch * slots values");
    angles_type t;
    t.batch = batch;
    t.slots = slots;
    t.blocks = (batch + kBatchLanes - 1) / kBatchLanes;
    const std::size_t n = std::max<std::size_t>(1, t.blocks * slots * kBatchLanes);
    t.c = view_type("quantum.batched.cos", n);
    t.s = view_type("quantum.batched.sin", n);
    auto hc = Kokkos::create_mirror_view(t.c);
    auto hs = Kokkos::create_mirror_view(t.s);
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t s = 0; s < slots; ++s) {
        const std::size_t at = ((b / kBatchLanes) * slots + s) * kBatchLanes + b % kBatchLanes;
        hc(at) = Real(std::cos(angles[b * slots + s] / 2));
        hs(at) = Real(std::sin(angles[b * slots + s] / 2));
      }
    Kokkos::deep_copy(t.c, hc);
    Kokkos::deep_copy(t.s, hs);
    return t;
  }

  // Applies the program to every register, block by block.
  void run(state_type& st, const BatchedProgram& program, const angles_type* angles = nullptr) const {
    const std::size_t slots = angles ? angles->slots : 0;
    if (angles && angles->blocks != st.blocks)
      throw std::invalid_argument("quantum: angle table and state have different batch sizes");
    Kokkos::View<detail::BatchedOpPod<Real>*, MemorySpace> ops("quantum.batched.ops", program.size());
    auto h = Kokkos::create_mirror_view(ops);
    for (std::size_t o = 0; o < program.size(); ++o) {
      const BatchedOp& op = program[o];
      const bool two = op.kind == BatchedOpKind::CZ || op.kind == BatchedOpKind::CX;
      if (op.q0 >= st.num_qubits || (two && (op.q1 >= st.num_qubits || op.q1 == op.q0)))
        throw std::invalid_argument("quantum: batched gate " + std::to_string(o) + " on qubits out of range");
      if (op.slot >= 0 && std::size_t(op.slot) >= slots)
        throw std::invalid_argument("quantum: batched gate " + std::to_string(o) + " reads angle slot " +
                                    std::to_string(op.slot) + " of " + std::to_string(slots));
      detail::BatchedOpPod<Real> p{};
      p.kind = int(op.kind);
      p.q0 = int(op.q0);
      p.q1 = int(op.q1);
      p.slot = op.slot;
      p.c = Real(std::cos(op.angle / 2));
      p.s = Real(std::sin(op.angle / 2));
      for (int e = 0; e < 4; ++e) {
        p.m[2 * e] = Real(op.gate.m[e].real());
        p.m[2 * e + 1] = Real(op.gate.m[e].imag());
      }
      h(o) = p;
    }
    Kokkos::deep_copy(ops, h);
    view_type re = st.re, im = st.im;
    view_type ac = angles ? angles->c : view_type(), as = angles ? angles->s : view_type();
    const unsigned n = st.num_qubits;
    const std::size_t per_block = st.dim() * kBatchLanes, nops = program.size();
    if constexpr (std::is_same<typename ExecSpace::memory_space, Kokkos::HostSpace>::value) {
      const detail::BlockKernel<Real> kernel = detail::host_block_kernel<Real>();
      Kokkos::parallel_for(
          "quantum.batched.run", policy(st.blocks), [=](const std::size_t b) {
            const Real* pc = slots ? ac.data() + b * slots * kBatchLanes : nullptr;
            const Real* ps = slots ? as.data() + b * slots * kBatchLanes : nullptr;
            kernel(re.data() + b * per_block, im.data() + b * per_block, pc, ps, slots, n, ops.data(), nops);
          });
    } else {
      Kokkos::parallel_for(
          "quantum.batched.run", policy(st.blocks), KOKKOS_LAMBDA(const std::size_t b) {
            const Real* pc = slots ? ac.data() + b * slots * kBatchLanes : nullptr;
            const Real* ps = slots ? as.data() + b * slots * kBatchLanes : nullptr;
            detail::apply_block<Real>(re.data() + b * per_block, im.data() + b * per_block, pc, ps, slots, n,
                                      ops.data(), nops);
          });
    }
    exec_.fence();
  }

  // |amplitude|² of every basis state: [batch, 2^n] row-major.
  Kokkos::View<Real**, Kokkos::LayoutRight, MemorySpace> probabilities(const state_type& st) const {
    Kokkos::View<Real**, Kokkos::LayoutRight, MemorySpace> p(
        Kokkos::view_alloc(std::string("quantum.batched.probabilities"), Kokkos::WithoutInitializing),
        st.batch, st.dim());
    view_type re = st.re, im = st.im;
    const std::size_t dim = st.dim(), batch = st.batch;
    Kokkos::parallel_for(
        "quantum.batched.probabilities", policy(st.blocks), KOKKOS_LAMBDA(const std::size_t b) {
          for (std::size_t i = 0; i < dim; ++i)
            for (std::size_t w = 0; w < kBatchLanes && b * kBatchLanes + w < batch; ++w) {
              const std::size_t at = (b * dim + i) * kBatchLanes + w;
              p(b * kBatchLanes + w, i) = re(at) * re(at) + im(at) * im(at);
            }
        });
    exec_.fence();
    return p;
  }

  // Host copy of the probabilities in double: [batch * 2^n].
  std::vector<double> probabilities_host(const state_type& st) const {
    auto p = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), probabilities(st));
    std::vector<double> out(st.batch * st.dim());
    for (std::size_t b = 0; b < st.batch; ++b)
      for (std::size_t i = 0; i < st.dim(); ++i) out[b * st.dim() + i] = p(b, i);
    return out;
  }

  // Amplitudes of register b (tests).
  std::vector<cplx> register_host(const state_type& st, std::size_t b) const {
    auto hr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), st.re);
    auto hi = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), st.im);
    std::vector<cplx> out(st.dim());
    for (std::size_t i = 0; i < st.dim(); ++i) {
      const std::size_t at = ((b / kBatchLanes) * st.dim() + i) * kBatchLanes + b % kBatchLanes;
      out[i] = cplx(hr(at), hi(at));
    }
    return out;
  }

  // Sets register b's amplitudes (tests).
  void set_register(state_type& st, std::size_t b, const std::vector<cplx>& amps) const {
    auto hr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), st.re);
    auto hi = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), st.im);
    for (std::size_t i = 0; i < st.dim(); ++i) {
      const std::size_t at = ((b / kBatchLanes) * st.dim() + i) * kBatchLanes + b % kBatchLanes;
      hr(at) = Real(amps[i].real());
      hi(at) = Real(amps[i].imag());
    }
    Kokkos::deep_copy(st.re, hr);
    Kokkos::deep_copy(st.im, hi);
  }

 private:
  Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>> policy(std::size_t n) const {
    return Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>>(exec_, 0, n);
  }
  ExecSpace exec_;
};

// Shots [shot_begin, shot_end) of one register with probabilities p[0..dim)
// (need not be exactly normalised: draws are scaled by the total), added to
// counts[0..dim). Draw j uses Philox(key) at counter (register << 24) | j, so a
// register's counts depend only on (key, register, j): not on the thread
// count, nor on other registers, and extra shots (j >= an earlier shot_end)
// continue the same sequence.
inline void sample_register_shots(const double* p, std::size_t dim, PhiloxKey key, std::uint64_t reg,
                                  std::uint64_t shot_begin, std::uint64_t shot_end, std::int32_t* counts) {
  if (shot_end > kMaxShotsPerRegister)
    throw std::invalid_argument("quantum: shots per register must be below 2^24");
  std::vector<double> cdf(dim);
  double acc = 0.0;
  for (std::size_t i = 0; i < dim; ++i) cdf[i] = (acc += p[i]);
  for (std::uint64_t j = shot_begin; j < shot_end; ++j) {
    const double u = Philox::uniform(key, (reg << 24) | j) * acc;
    std::size_t lo = 0, hi = dim - 1;  // first i with u < cdf[i]: never a zero-probability state
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (u < cdf[mid]) hi = mid; else lo = mid + 1;
    }
    ++counts[lo];
  }
}

// All registers in parallel: probs [batch * dim], shots[b] for register b,
// register number counter_base + b. Returns counts [batch * dim].
template <class ExecSpace = Kokkos::DefaultHostExecutionSpace>
std::vector<std::int32_t> sample_register_counts(const std::vector<double>& probs, std::size_t dim,
                                                 const std::vector<std::int64_t>& shots, PhiloxKey key,
                                                 std::uint64_t counter_base = 0,
                                                 const ExecSpace& exec = ExecSpace()) {
  const std::size_t batch = shots.size();
  if (probs.size() != batch * dim) throw std::invalid_argument("quantum: probabilities and shots differ in batch");
  for (auto s : shots)
    if (s < 0 || std::uint64_t(s) > kMaxShotsPerRegister)
      throw std::invalid_argument("quantum: shots per register must be in [0, 2^24]");
  std::vector<std::int32_t> counts(batch * dim, 0);
  const double* p = probs.data();
  const std::int64_t* sh = shots.data();
  std::int32_t* out = counts.data();
  Kokkos::parallel_for(
      "quantum.batched.sample",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>>(exec, 0, batch), [=](const std::size_t b) {
        sample_register_shots(p + b * dim, dim, key, counter_base + b, 0, std::uint64_t(sh[b]), out + b * dim);
      });
  exec.fence();
  return counts;
}

}  // namespace moesim::quantum
