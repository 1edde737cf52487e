// Host inner loops of the dense single-qubit gate (simulator.hpp): the two
// halves a gate mixes are contiguous runs of n amplitudes, so the loop is a
// plain stream the compiler vectorises. The project builds for baseline
// x86-64; on GCC/x86-64 each loop is also compiled for AVX2+FMA and AVX-512
// and the best version is chosen when the program starts (function
// multi-versioning), as qsim picks its SIMD kernels at run time.
#include "models/quantum/simulator.hpp"

#include <algorithm>

namespace moesim::quantum::detail {

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__CUDACC__)
#define MOESIM_SIMD_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#define MOESIM_INLINE __attribute__((always_inline)) inline  // compiled into each clone
#else
#define MOESIM_SIMD_CLONES
#define MOESIM_INLINE inline
#endif

namespace {
template <class Real>
MOESIM_INLINE void pair_loop(Real* __restrict p0, Real* __restrict p1, std::size_t n, const Real* m) {
  const Real m0r = m[0], m0i = m[1], m1r = m[2], m1i = m[3], m2r = m[4], m2i = m[5], m3r = m[6], m3i = m[7];
#pragma GCC ivdep
  for (std::size_t j = 0; j < 2 * n; j += 2) {
    const Real x0r = p0[j], x0i = p0[j + 1], x1r = p1[j], x1i = p1[j + 1];
    p0[j] = m0r * x0r - m0i * x0i + m1r * x1r - m1i * x1i;
    p0[j + 1] = m0r * x0i + m0i * x0r + m1r * x1i + m1i * x1r;
    p1[j] = m2r * x0r - m2i * x0i + m3r * x1r - m3i * x1i;
    p1[j + 1] = m2r * x0i + m2i * x0r + m3r * x1i + m3i * x1r;
  }
}

// Target bit t = log2(H) < 3 inside a contiguous block of `len` amplitudes (a
// multiple of 2H): pairs (i, i + H) interleave at a short stride; H is a
// compile-time constant so the group loop unrolls and vectorises.
template <std::size_t H, class Real>
MOESIM_INLINE void low_loop(Real* __restrict p, std::size_t len, const Real* m) {
  const Real m0r = m[0], m0i = m[1], m1r = m[2], m1i = m[3], m2r = m[4], m2i = m[5], m3r = m[6], m3i = m[7];
  for (std::size_t base = 0; base < 2 * len; base += 4 * H) {
    Real* __restrict p0 = p + base;
    Real* __restrict p1 = p + base + 2 * H;
    for (std::size_t j = 0; j < 2 * H; j += 2) {
      const Real x0r = p0[j], x0i = p0[j + 1], x1r = p1[j], x1i = p1[j + 1];
      p0[j] = m0r * x0r - m0i * x0i + m1r * x1r - m1i * x1i;
      p0[j + 1] = m0r * x0i + m0i * x0r + m1r * x1i + m1i * x1r;
      p1[j] = m2r * x0r - m2i * x0i + m3r * x1r - m3i * x1i;
      p1[j + 1] = m2r * x0i + m2i * x0r + m3r * x1i + m3i * x1r;
    }
  }
}
template <class Real>
MOESIM_INLINE void low_dispatch(Real* p, std::size_t len, unsigned t, const Real* m) {
  if (t == 0) low_loop<1>(p, len, m);
  else if (t == 1) low_loop<2>(p, len, m);
  else low_loop<4>(p, len, m);
}
}  // namespace

namespace {
// On states far larger than the caches, float targets 6 ≤ t ≤ 11 ran 2-3x
// slower than an a·x+b sweep (AMD Zen 4, one and two threads, t = 6 worst):
// the pair loop reads two streams 2^t amplitudes (512 B to 16 KB) apart,
// alternating cache line by cache line within the same few pages, and the
// hardware prefetcher does not follow that pattern (software prefetch of
// the same lines did not help; t ≤ 5 and t ≥ 12 are near the sweep).
// Reading one value per cache line in address order before the arithmetic
// turns the first misses of each run into one ascending stream: the whole
// block (both halves) while it is ≤ 4 KB (t ≤ 8), else the first half
// only, which measured best (e.g. t = 6..11 at 24 qubits, one thread: 17,
// 16, 15, 12, 11, 9 ms → 6.1, 5.9, 6.1, 6.0, 6.2, 7.2 ms; sweep 5.7 ms).
// The limits are in bytes of distance between the halves, so double
// states get the same treatment at one target lower.
constexpr std::size_t kTouchMinBytes = 512, kTouchMaxBytes = 16384, kTouchBothMaxBytes = 2048;

// Loads one Real per 64-byte line of p[0, reals) in address order.
template <class Real>
MOESIM_INLINE void touch_lines(const Real* p, std::size_t reals) {
  Real acc = 0;
  for (std::size_t o = 0; o < reals; o += 64 / sizeof(Real)) acc += p[o];
  volatile Real sink = acc;  // keeps the loads; one store per run
  (void)sink;
}

// Pairs k ∈ [k0, k0 + count) of target t ≥ 3: pair k mixes amplitude i0 (k
// with a zero inserted at bit t) with i0 + 2^t; consecutive k form runs of
// up to 2^t contiguous amplitudes.
template <class Real>
MOESIM_INLINE void runs_loop(Real* data, std::size_t k0, std::size_t count, unsigned t, const Real* m) {
  const std::size_t low = std::size_t{1} << t, mask = low - 1;
  const std::size_t distance = low * 2 * sizeof(Real);  // bytes between the halves
  const bool touch = distance >= kTouchMinBytes && distance <= kTouchMaxBytes;
  const bool touch_both = distance <= kTouchBothMaxBytes;
  while (count > 0) {
    const std::size_t i0 = ((k0 >> t) << (t + 1)) | (k0 & mask);
    const std::size_t len = std::min(low - (k0 & mask), count);
    if (touch) {
      touch_lines(data + 2 * i0, 2 * len);
      if (touch_both) touch_lines(data + 2 * (i0 + low), 2 * len);
    }
    pair_loop(data + 2 * i0, data + 2 * (i0 + low), len, m);
    k0 += len;
    count -= len;
  }
}
}  // namespace

MOESIM_SIMD_CLONES void gate1_runs(float* d, std::size_t k0, std::size_t count, unsigned t, const float* m) {
  runs_loop(d, k0, count, t, m);
}
MOESIM_SIMD_CLONES void gate1_runs(double* d, std::size_t k0, std::size_t count, unsigned t, const double* m) {
  runs_loop(d, k0, count, t, m);
}
MOESIM_SIMD_CLONES void gate1_low(float* p, std::size_t len, unsigned t, const float* m) { low_dispatch(p, len, t, m); }
MOESIM_SIMD_CLONES void gate1_low(double* p, std::size_t len, unsigned t, const double* m) { low_dispatch(p, len, t, m); }

}  // namespace moesim::quantum::detail
