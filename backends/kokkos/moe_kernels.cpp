// Parallel Dispatcher / Combiner kernels. Each parallel index owns its output
// rows (an (expert, slot) row or a token row), and a token's contributions are
// summed in the fixed by_token order, exactly like the reference loops, so the
// two agree bit for bit and neither depends on the thread count.
#include "backends/moe_kernels.hpp"

namespace moesim::kokkos {

namespace {
using Policy = Kokkos::RangePolicy<HostExec>;
}

void gather(const HostExec& exec, const std::vector<Assignment>& as, const HostMatrix& x,
            HostTensor3& buffers) {
  const Assignment* a = as.data();
  const std::size_t d = x.extent(1);
  auto buf = buffers;
  auto xv = x;
  Kokkos::parallel_for("moe_gather", Policy(exec, 0, as.size()), [=](std::size_t i) {
    const Assignment& s = a[i];
    float* dst = &buf(s.expert, s.slot, 0);
    const float* src = &xv(s.token, 0);
    for (std::size_t j = 0; j < d; ++j) dst[j] = src[j];
  });
  exec.fence();
}

void combine(const HostExec& exec, const std::vector<Assignment>& as, const TokenIndex& by_token,
             const HostTensor3& out, HostMatrix& y) {
  const Assignment* a = as.data();
  const int* off = by_token.offsets.data();
  const int* order = by_token.order.data();
  const std::size_t d = y.extent(1);
  auto yv = y;
  auto ov = out;
  Kokkos::parallel_for("moe_combine", Policy(exec, 0, y.extent(0)), [=](std::size_t t) {
    float* dst = &yv(t, 0);
    for (std::size_t j = 0; j < d; ++j) dst[j] = 0.0f;
    for (int i = off[t]; i < off[t + 1]; ++i) {
      const Assignment& s = a[order[i]];
      const float* src = &ov(s.expert, s.slot, 0);
      for (std::size_t j = 0; j < d; ++j) dst[j] += s.weight * src[j];
    }
  });
  exec.fence();
}

void combine_backward(const HostExec& exec, const std::vector<Assignment>& as, const HostMatrix& dy,
                      const HostTensor3& out, HostTensor3& d_out, std::vector<float>& d_weight) {
  d_weight.assign(as.size(), 0.0f);
  const Assignment* a = as.data();
  float* dw = d_weight.data();
  const std::size_t d = dy.extent(1);
  auto dyv = dy;
  auto ov = out;
  auto dov = d_out;
  Kokkos::parallel_for("moe_combine_backward", Policy(exec, 0, as.size()), [=](std::size_t i) {
    const Assignment& s = a[i];
    const float* g = &dyv(s.token, 0);
    const float* o = &ov(s.expert, s.slot, 0);
    float* dst = &dov(s.expert, s.slot, 0);
    float dot = 0.0f;
    for (std::size_t j = 0; j < d; ++j) {
      dst[j] = s.weight * g[j];
      dot += g[j] * o[j];
    }
    dw[i] = dot;
  });
  exec.fence();
}

void gather_backward(const HostExec& exec, const std::vector<Assignment>& as,
                     const TokenIndex& by_token, const HostTensor3& d_in, HostMatrix& dx) {
  const Assignment* a = as.data();
  const int* off = by_token.offsets.data();
  const int* order = by_token.order.data();
  const std::size_t d = dx.extent(1);
  auto dxv = dx;
  auto div = d_in;
  Kokkos::parallel_for("moe_gather_backward", Policy(exec, 0, dx.extent(0)), [=](std::size_t t) {
    float* dst = &dxv(t, 0);
    for (int i = off[t]; i < off[t + 1]; ++i) {
      const Assignment& s = a[order[i]];
      const float* src = &div(s.expert, s.slot, 0);
      for (std::size_t j = 0; j < d; ++j) dst[j] += src[j];
    }
  });
  exec.fence();
}

}  // namespace moesim::kokkos
