// moe_layer: forward + backward of one MoE layer at the DESIGN.md §3 default
// shape (8192 tokens, d_model 512, d_ff 2048, 8 experts, top-2), compared with
// a plain GEMM of the same total FLOPs in the same run on the same threads.
// expert_gemm_ratio says how close the expert computation gets to the BLAS
// limit; router_share what routing, dispatch and combine cost on top.
#include "bench/moe_layer_bench.hpp"

#include "backends/gemm.hpp"
#include "config/config.hpp"
#include "core/kokkos_runtime.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "moe/moe_layer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace moesim {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
void fill_normal(HostMatrix& m, std::uint64_t salt, float scale) {
  auto v = m;
  const std::size_t cols = m.extent(1);
  Kokkos::parallel_for("bench_fill", Kokkos::RangePolicy<HostExec>(0, m.size()), [=](std::size_t i) {
    v(i / cols, i % cols) = scale * float(Philox::normal({42, salt}, i));
  });
}
}  // namespace

BenchReport bench_moe_layer(const Registry& registry, const Config& config, const MoeLayerShape& shape) {
  RouterSpec rs;
  rs.d_model = shape.d_model;
  rs.num_experts = shape.experts;
  rs.top_k = shape.top_k;
  rs.capacity_factor = shape.capacity_factor;
  rs.seed = 1;
  rs.config = &config;
  ExpertSpec es;
  es.num_experts = shape.experts;
  es.d_model = shape.d_model;
  es.d_ff = shape.d_ff;
  es.seed = 1;
  es.backend = Backend::Blas;
  es.config = &config;
  MoELayer layer(registry.make_router(shape.router, rs), registry.make_experts("ffn", es), nullptr,
                 Backend::Blas);

  HostMatrix x("bench.x", shape.tokens, shape.d_model), y("bench.y", shape.tokens, shape.d_model);
  HostMatrix dy("bench.dy", shape.tokens, shape.d_model), dx("bench.dx", shape.tokens, shape.d_model);
  fill_normal(x, 1, 1.0f);
  fill_normal(dy, 2, 1e-3f);
  RouteContext ctx;
  ctx.training = true;

  auto step = [&](std::uint64_t s) {
    ctx.step = s;
    layer.forward(x, ctx, y);
    Kokkos::deep_copy(dx, 0.0f);
    layer.backward(x, dy, 0.01, 0.001, dx);
  };
  step(0);  // warm-up: allocations, page faults, BLAS buffers
  layer.reset_timings();
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < shape.repeats; ++r) step(std::uint64_t(r + 1));
  const double layer_s = seconds_since(t0) / shape.repeats;
  const LayerTimings tm = layer.timings();
  const double expert_s = tm.experts_s / shape.repeats;
  const double routing_s = (tm.router_s + tm.dispatch_s) / shape.repeats;
  // Forward FLOPs of the tokens the experts really processed; backward = 2x.
  const double expert_flops = 3.0 * layer.stats().expert_flops;

  // A plain GEMM of the same total FLOPs: [M x d_model] · [d_model x d_ff]
  // with M chosen so that 2·M·d_model·d_ff equals the expert FLOPs.
  const std::size_t m = std::max<std::size_t>(
      1, std::size_t(std::llround(expert_flops / (2.0 * shape.d_model * shape.d_ff))));
  HostMatrix a("bench.gemm_a", m, shape.d_model), b("bench.gemm_b", shape.d_model, shape.d_ff);
  HostMatrix c("bench.gemm_c", m, shape.d_ff);
  fill_normal(a, 3, 1.0f);
  fill_normal(b, 4, 1.0f);
  gemm(Backend::Blas, Op::N, Op::N, 1.0f, cmat(a), cmat(b), 0.0f, mat(c));  // warm-up
  const auto t1 = std::chrono::steady_clock::now();
  for (int r = 0; r < shape.repeats; ++r)
    gemm(Backend::Blas, Op::N, Op::N, 1.0f, cmat(a), cmat(b), 0.0f, mat(c));
  const double gemm_s = seconds_since(t1) / shape.repeats;
  const double gemm_flops = 2.0 * double(m) * shape.d_model * shape.d_ff;

  const double expert_gflops = expert_flops / expert_s / 1e9;
  const double gemm_gflops = gemm_flops / gemm_s / 1e9;
  BenchReport r;
  r.add("bench", std::string("moe_layer"))
      .add("impl", std::string("moesim"))
      .add("threads", static_cast<long long>(kokkos_concurrency()))
      .add("seconds", layer_s)
      .add("tokens", static_cast<long long>(shape.tokens))
      .add("d_model", static_cast<long long>(shape.d_model))
      .add("d_ff", static_cast<long long>(shape.d_ff))
      .add("experts", static_cast<long long>(shape.experts))
      .add("top_k", static_cast<long long>(shape.top_k))
      .add("router", shape.router)
      .add("capacity_factor", shape.capacity_factor)
      .add("precision", std::string("fp32"))
      .add("expert_gflops", expert_gflops)
      .add("gemm_gflops", gemm_gflops)
      .add("expert_gemm_ratio", expert_gflops / gemm_gflops)
      .add("router_share", routing_s / layer_s);
  return r;
}

}  // namespace moesim
