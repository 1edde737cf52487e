// The CUDA backend (backends/cuda) against the reference oracle: cuBLAS GEMM
// against reference::gemm, the MoE gather / combine kernels and their
// backward passes against backends/reference/moe_kernels, activations against
// backends/reference/activations — all on random data. Tests that need a GPU
// skip at run time when there is none; host-side parts (routing checks and
// index, the no-device error) run in every CUDA build. Without
// MOESIM_ENABLE_CUDA the file compiles to one skipped test.
#include <catch2/catch_test_macros.hpp>

#ifndef MOESIM_HAVE_CUDA

TEST_CASE("cuda backend", "[cuda]") { SKIP("built without MOESIM_ENABLE_CUDA"); }

#else  // MOESIM_HAVE_CUDA

#include "backends/cuda/cuda_backend.hpp"
#include "backends/gemm.hpp"
#include "backends/moe_kernels.hpp"
#include "backends/reference/activations.hpp"
#include "core/philox.hpp"
#include "core/tensor.hpp"
#include "moe/dispatch.hpp"

#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

using namespace moesim;

namespace {

#define MOESIM_REQUIRE_CUDA_DEVICE() \
  do {                               \
    if (cuda_device_count() == 0) SKIP("no CUDA device on this machine"); \
  } while (0)

std::vector<float> random_vector(std::size_t n, std::uint64_t salt, double scale = 1.0) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(scale * Philox::normal({11, salt}, i));
  return v;
}

// Largest |a - b| / (1 + |a|) over the elements.
double worst_error(const std::vector<float>& ref, const std::vector<float>& got) {
  REQUIRE(ref.size() == got.size());
  double worst = 0;
  for (std::size_t i = 0; i < ref.size(); ++i)
    worst = std::max(worst, std::abs(double(ref[i]) - got[i]) / (1.0 + std::abs(double(ref[i]))));
  return worst;
}

std::vector<float> to_vector(const HostMatrix& m) { return {m.data(), m.data() + m.size()}; }
std::vector<float> to_vector(const HostTensor3& t) { return {t.data(), t.data() + t.size()}; }

// A random sparse dispatch: each token picks k distinct experts; a choice is
// dropped when its expert is full, slots are filled in token order.
std::vector<Assignment> random_assignments(int tokens, int experts, int k, int capacity, std::uint64_t salt) {
  std::vector<Assignment> out;
  std::vector<int> fill(experts, 0);
  for (int t = 0; t < tokens; ++t) {
    std::vector<int> chosen;
    for (int c = 0; static_cast<int>(chosen.size()) < k; ++c) {
      const int e = static_cast<int>(Philox::below({13, salt}, std::uint64_t(t) * 1000 + c, experts));
      if (std::find(chosen.begin(), chosen.end(), e) == chosen.end()) chosen.push_back(e);
    }
    for (int e : chosen) {
      if (fill[e] >= capacity) continue;  // dropped
      const float w = static_cast<float>(Philox::uniform({14, salt}, std::uint64_t(t) * 16 + e));
      out.push_back({t, e, fill[e]++, w});
    }
  }
  return out;
}

struct RoutingArrays {
  std::vector<int> token, expert, slot;
  std::vector<float> weight;
};
RoutingArrays arrays_of(const std::vector<Assignment>& as) {
  RoutingArrays r;
  for (const auto& a : as) {
    r.token.push_back(a.token);
    r.expert.push_back(a.expert);
    r.slot.push_back(a.slot);
    r.weight.push_back(a.weight);
  }
  return r;
}

}  // namespace

// ------------------------------------------------------ no device needed

TEST_CASE("cuda: a context on a missing device fails with a clear runtime_error", "[cuda]") {
  const int count = cuda_device_count();
  CHECK(count >= 0);
  // Device index `count` never exists (with no device: index 0 of none).
  try {
    CudaContext ctx(count);
    FAIL("CudaContext(" << count << ") did not throw");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Matchers::ContainsSubstring("CUDA"));
    CHECK_THAT(msg, Catch::Matchers::ContainsSubstring("device"));
  }
  CHECK_FALSE(cuda_device_summary().empty());
}

TEST_CASE("cuda: routing checks and the by-token index (host side)", "[cuda]") {
  const auto as = random_assignments(40, 5, 2, 12, 1);
  REQUIRE(as.size() > 10);
  const auto r = arrays_of(as);
  CHECK_NOTHROW(check_routing(r.token.data(), r.expert.data(), r.slot.data(), as.size(), 40, 5, 12));

  std::vector<int> begin, order;
  routing_token_index(r.token.data(), as.size(), 40, begin, order);
  const TokenIndex ref = index_by_token(as, 40);
  CHECK(begin == ref.offsets);
  CHECK(order == ref.order);

  auto bad = r;
  bad.token[3] = 40;
  CHECK_THROWS_AS(check_routing(bad.token.data(), bad.expert.data(), bad.slot.data(), as.size(), 40, 5, 12),
                  std::invalid_argument);
  bad = r;
  bad.expert[0] = -1;
  CHECK_THROWS_AS(check_routing(bad.token.data(), bad.expert.data(), bad.slot.data(), as.size(), 40, 5, 12),
                  std::invalid_argument);
  bad = r;
  bad.slot[2] = 12;
  CHECK_THROWS_AS(check_routing(bad.token.data(), bad.expert.data(), bad.slot.data(), as.size(), 40, 5, 12),
                  std::invalid_argument);
  bad = r;  // two assignments on one (expert, slot) row
  bad.expert[1] = bad.expert[0];
  bad.slot[1] = bad.slot[0];
  CHECK_THROWS_AS(check_routing(bad.token.data(), bad.expert.data(), bad.slot.data(), as.size(), 40, 5, 12),
                  std::invalid_argument);
}

// --------------------------------------------------------- device tests

TEST_CASE("cuda gemm matches the reference oracle", "[cuda]") {
  MOESIM_REQUIRE_CUDA_DEVICE();
  const auto op_a = GENERATE(Op::N, Op::T);
  const auto op_b = GENERATE(Op::N, Op::T);
  const std::size_t m = GENERATE(1, 37, 300), n = GENERATE(5, 130), k = GENERATE(3, 129);
  const std::size_t pad = GENERATE(0, 3);  // leading dimensions larger than the row length
  const std::size_t a_rows = op_a == Op::N ? m : k, a_cols = op_a == Op::N ? k : m;
  const std::size_t b_rows = op_b == Op::N ? k : n, b_cols = op_b == Op::N ? n : k;
  const std::size_t lda = a_cols + pad, ldb = b_cols + pad, ldc = n + pad;
  const auto a = random_vector(a_rows * lda, 1), b = random_vector(b_rows * ldb, 2);
  auto c_ref = random_vector(m * ldc, 3);

  CudaContext ctx;
  DeviceBuffer<float> da(a), db(b), dc(c_ref);
  cuda_gemm(ctx, op_a, op_b, m, n, k, 0.5f, da.data(), lda, db.data(), ldb, 2.0f, dc.data(), ldc);
  reference::gemm(op_a, op_b, 0.5f, {a.data(), a_rows, a_cols, lda}, {b.data(), b_rows, b_cols, ldb}, 2.0f,
                  {c_ref.data(), m, n, ldc});
  const auto c = dc.download();
  CHECK(worst_error(c_ref, c) < 1e-4);
  // Padding columns of C are untouched.
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = n; j < ldc; ++j) CHECK(c[i * ldc + j] == c_ref[i * ldc + j]);
}

TEST_CASE("cuda gemm on matrix references checks shapes", "[cuda]") {
  MOESIM_REQUIRE_CUDA_DEVICE();
  CudaContext ctx;
  DeviceBuffer<float> a(12), b(30), c(18);
  CHECK_THROWS_AS(cuda_gemm(ctx, Op::N, Op::N, 1.f, ConstMatRef{a.data(), 3, 4, 4}, ConstMatRef{b.data(), 5, 6, 6},
                            0.f, MatRef{c.data(), 3, 6, 6}),
                  std::invalid_argument);
  CHECK_THROWS_AS(cuda_gemm(ctx, Op::N, Op::N, 3, 6, 4, 1.f, a.data(), 3, b.data(), 6, 0.f, c.data(), 6),
                  std::invalid_argument);  // lda < k
}

TEST_CASE("cuda strided batched gemm matches per-matrix reference gemms", "[cuda]") {
  MOESIM_REQUIRE_CUDA_DEVICE();
  const std::size_t batch = 4, m = 33, n = 17, k = 65;
  const auto op_b = GENERATE(Op::N, Op::T);
  const std::size_t b_rows = op_b == Op::N ? k : n, b_cols = op_b == Op::N ? n : k;
  const auto a = random_vector(batch * m * k, 4), b = random_vector(batch * k * n, 5);
  auto c_ref = random_vector(batch * m * n, 6);
  CudaContext ctx;
  DeviceBuffer<float> da(a), db(b), dc(c_ref);
  cuda_gemm_strided_batched(ctx, Op::N, op_b, m, n, k, 1.0f, da.data(), k, m * k, db.data(), b_cols, k * n, 0.5f,
                            dc.data(), n, m * n, batch);
  for (std::size_t i = 0; i < batch; ++i)
    reference::gemm(Op::N, op_b, 1.0f, {a.data() + i * m * k, m, k, k}, {b.data() + i * k * n, b_rows, b_cols, b_cols},
                    0.5f, {c_ref.data() + i * m * n, m, n, n});
  CHECK(worst_error(c_ref, dc.download()) < 1e-4);
}

TEST_CASE("cuda gather, combine and their backward passes match the reference", "[cuda]") {
  MOESIM_REQUIRE_CUDA_DEVICE();
  const int tokens = GENERATE(1, 97, 600);
  const int experts = 6, k = 2;
  const std::size_t d = GENERATE(std::size_t{1}, std::size_t{64}, std::size_t{300});  // below, at, above a block
  const int capacity = std::max(1, tokens * k / experts);  // capacity factor 1: some choices drop
  const auto as = random_assignments(tokens, experts, k, capacity, 2);
  const auto r = arrays_of(as);
  const TokenIndex by_token = index_by_token(as, tokens);

  HostMatrix x("x", tokens, d);
  const auto xv = random_vector(tokens * d, 7);
  std::copy(xv.begin(), xv.end(), x.data());
  HostTensor3 expert_out("expert_out", experts, capacity, d);
  const auto ov = random_vector(expert_out.size(), 8);
  std::copy(ov.begin(), ov.end(), expert_out.data());
  HostMatrix dy("dy", tokens, d);
  const auto dyv = random_vector(tokens * d, 9);
  std::copy(dyv.begin(), dyv.end(), dy.data());

  CudaContext ctx;
  const DeviceRouting routing = upload_routing(r.token.data(), r.expert.data(), r.slot.data(), r.weight.data(),
                                               as.size(), tokens, experts, capacity);
  DeviceBuffer<float> dx_dev(xv), dout_dev(ov), ddy_dev(dyv);

  SECTION("gather") {
    HostTensor3 ref("ref", experts, capacity, d);
    reference::gather(as, x, ref);
    DeviceBuffer<float> buffers(random_vector(ref.size(), 10));  // stale data: gather must zero unused rows
    cuda_gather(ctx, routing, dx_dev.data(), d, buffers.data());
    CHECK(buffers.download() == to_vector(ref));  // a copy: bit-exact
  }
  SECTION("combine, overwrite and accumulate, deterministic") {
    HostMatrix ref("ref", tokens, d);
    reference::combine(as, by_token, expert_out, ref);
    DeviceBuffer<float> y(random_vector(tokens * d, 11));
    cuda_combine(ctx, routing, dout_dev.data(), d, y.data());
    const auto first = y.download();
    CHECK(worst_error(to_vector(ref), first) < 1e-5);
    cuda_combine(ctx, routing, dout_dev.data(), d, y.data());
    CHECK(y.download() == first);  // same bits on a rerun

    cuda_combine(ctx, routing, dout_dev.data(), d, y.data(), /*accumulate=*/true);
    std::vector<float> twice = to_vector(ref);
    for (auto& v : twice) v *= 2.0f;
    CHECK(worst_error(twice, y.download()) < 1e-5);
  }
  SECTION("combine backward") {
    HostTensor3 d_out_ref("d_out_ref", experts, capacity, d);
    std::vector<float> d_weight_ref;
    reference::combine_backward(as, dy, expert_out, d_out_ref, d_weight_ref);
    DeviceBuffer<float> d_out(d_out_ref.size()), d_weight(as.size());
    cuda_combine_backward(ctx, routing, ddy_dev.data(), dout_dev.data(), d, d_out.data(), d_weight.data());
    CHECK(worst_error(to_vector(d_out_ref), d_out.download()) < 1e-6);
    // Dot products of d terms: the device sums in a different (fixed) order.
    CHECK(worst_error(d_weight_ref, d_weight.download()) < 1e-4 * std::sqrt(double(d)));
  }
  SECTION("gather backward accumulates into dx") {
    HostMatrix dx_ref("dx_ref", tokens, d);
    std::copy(xv.begin(), xv.end(), dx_ref.data());
    reference::gather_backward(as, by_token, expert_out, dx_ref);
    DeviceBuffer<float> dx(xv);
    cuda_gather_backward(ctx, routing, dout_dev.data(), d, dx.data());
    CHECK(worst_error(to_vector(dx_ref), dx.download()) < 1e-5);
  }
}

TEST_CASE("cuda activations forward and backward match the reference", "[cuda]") {
  MOESIM_REQUIRE_CUDA_DEVICE();
  const auto act = GENERATE(Activation::Relu, Activation::Gelu, Activation::GeluTanh, Activation::Swiglu,
                            Activation::Identity);
  CAPTURE(activation_name(act));
  const std::size_t rows = 37, cols = 129, in_cols = activation_input_cols(act, cols);
  auto pre = random_vector(rows * in_cols, 12, 3.0);
  pre[0] = 0.0f;  // relu's derivative at 0 is 0
  const auto d_out = random_vector(rows * cols, 13);

  std::vector<float> out_ref(rows * cols), d_pre_ref(rows * in_cols);
  reference::activation_forward(act, {pre.data(), rows, in_cols, in_cols}, {out_ref.data(), rows, cols, cols});
  reference::activation_backward(act, {pre.data(), rows, in_cols, in_cols}, {d_out.data(), rows, cols, cols},
                                 {d_pre_ref.data(), rows, in_cols, in_cols});

  CudaContext ctx;
  DeviceBuffer<float> dpre(pre), dd_out(d_out), out(rows * cols), d_pre(rows * in_cols);
  cuda_activation_forward(ctx, act, rows, cols, dpre.data(), out.data());
  cuda_activation_backward(ctx, act, rows, cols, dpre.data(), dd_out.data(), d_pre.data());
  CHECK(worst_error(out_ref, out.download()) < 1e-5);
  CHECK(worst_error(d_pre_ref, d_pre.download()) < 1e-5);
  if (act == Activation::Swiglu)
    CHECK_THROWS_AS(cuda_activation_forward(ctx, act, rows, cols, dpre.data(), dpre.data()), std::invalid_argument);
}

#endif  // MOESIM_HAVE_CUDA
