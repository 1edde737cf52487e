// Host builds of the batched block kernel (batched_state.hpp) for AVX2 and
// AVX-512, chosen at run time: the project is compiled without -march, and
// the kernel's inner loop over the kBatchLanes registers of a block is what
// the vector unit's width decides.
#include "models/quantum/batched_state.hpp"

namespace moesim::quantum::detail {

namespace {

#if defined(__GNUC__) && defined(__x86_64__)
#define MOESIM_BATCHED_MULTIVERSION 1
template <class Real>
__attribute__((target("avx2"), flatten)) void block_avx2(Real* re, Real* im, const Real* c, const Real* s,
                                                         std::size_t slots, unsigned n,
                                                         const BatchedOpPod<Real>* ops, std::size_t nops) {
  apply_block<Real>(re, im, c, s, slots, n, ops, nops);
}
template <class Real>
__attribute__((target("avx512f,avx512vl,avx512dq,avx2"), flatten)) void block_avx512(
    Real* re, Real* im, const Real* c, const Real* s, std::size_t slots, unsigned n, const BatchedOpPod<Real>* ops,
    std::size_t nops) {
  apply_block<Real>(re, im, c, s, slots, n, ops, nops);
}
#endif

template <class Real>
void block_generic(Real* re, Real* im, const Real* c, const Real* s, std::size_t slots, unsigned n,
                   const BatchedOpPod<Real>* ops, std::size_t nops) {
  apply_block<Real>(re, im, c, s, slots, n, ops, nops);
}

int level() {
#ifdef MOESIM_BATCHED_MULTIVERSION
  static const int l = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                               __builtin_cpu_supports("avx512dq")
                           ? 2
                           : __builtin_cpu_supports("avx2") ? 1 : 0;
  return l;
#else
  return 0;
#endif
}

}  // namespace

template <class Real>
BlockKernel<Real> host_block_kernel() {
#ifdef MOESIM_BATCHED_MULTIVERSION
  if (level() == 2) return &block_avx512<Real>;
  if (level() == 1) return &block_avx2<Real>;
#endif
  return &block_generic<Real>;
}

const char* host_block_kernel_name() {
  const int l = level();
  return l == 2 ? "avx512" : l == 1 ? "avx2" : "generic";
}

template BlockKernel<float> host_block_kernel<float>();
template BlockKernel<double> host_block_kernel<double>();

}  // namespace moesim::quantum::detail
