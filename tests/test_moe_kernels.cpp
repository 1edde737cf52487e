// Dispatcher / Combiner: the Kokkos kernels against the reference loops. They
// sum in the same fixed order, so they must agree bit for bit.
#include "backends/moe_kernels.hpp"
#include "core/philox.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace moesim;

namespace {
HostMatrix random(std::size_t r, std::size_t c, std::uint64_t salt) {
  HostMatrix m("m", r, c);
  for (std::size_t i = 0; i < m.size(); ++i) m(i / c, i % c) = float(Philox::normal({3, salt}, i));
  return m;
}
// 5 tokens, 3 experts, capacity 2, token 3 dropped, token 1 routed twice.
std::vector<Assignment> example() {
  return {{0, 0, 0, 0.7f}, {1, 2, 0, 0.6f}, {1, 0, 1, 0.4f}, {2, 1, 0, 1.0f}, {4, 2, 1, 0.25f}};
}
}  // namespace

TEST_CASE("token index groups assignments by token in router order", "[moe][kernels]") {
  const auto idx = index_by_token(example(), 5);
  CHECK(idx.offsets == std::vector<int>{0, 1, 3, 4, 4, 5});
  CHECK(idx.order == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(expert_counts(example(), 3) == std::vector<int>{2, 1, 2});
}

TEST_CASE("gather and combine: kokkos equals reference bit for bit", "[moe][kernels]") {
  const auto as = example();
  const auto idx = index_by_token(as, 5);
  const int d = 7;
  auto x = random(5, d, 1);
  HostTensor3 buf_ref("r", 3, 2, d), buf_k("k", 3, 2, d);
  reference::gather(as, x, buf_ref);
  kokkos::gather(HostExec(), as, x, buf_k);
  for (int e = 0; e < 3; ++e)
    for (int s = 0; s < 2; ++s)
      for (int j = 0; j < d; ++j) REQUIRE(buf_ref(e, s, j) == buf_k(e, s, j));
  CHECK(buf_ref(0, 1, 3) == x(1, 3));  // token 1 landed in expert 0, slot 1

  HostMatrix y_ref("yr", 5, d), y_k("yk", 5, d);
  reference::combine(as, idx, buf_ref, y_ref);
  kokkos::combine(HostExec(), as, idx, buf_ref, y_k);
  for (int t = 0; t < 5; ++t)
    for (int j = 0; j < d; ++j) REQUIRE(y_ref(t, j) == y_k(t, j));
  // token 1 = 0.6·x1 + 0.4·x1 = x1; dropped token 3 gets zero.
  CHECK(std::abs(y_ref(1, 2) - x(1, 2)) < 1e-6);
  CHECK(y_ref(3, 0) == 0.0f);

  auto dy = random(5, d, 2);
  HostTensor3 dout_ref("dr", 3, 2, d), dout_k("dk", 3, 2, d);
  std::vector<float> dw_ref, dw_k;
  reference::combine_backward(as, dy, buf_ref, dout_ref, dw_ref);
  kokkos::combine_backward(HostExec(), as, dy, buf_ref, dout_k, dw_k);
  REQUIRE(dw_ref == dw_k);
  double dot = 0;
  for (int j = 0; j < d; ++j) dot += double(dy(4, j)) * x(4, j);
  CHECK(std::abs(dw_ref[4] - dot) < 1e-5);

  HostMatrix dx_ref("dxr", 5, d), dx_k("dxk", 5, d);
  reference::gather_backward(as, idx, dout_ref, dx_ref);
  kokkos::gather_backward(HostExec(), as, idx, dout_ref, dx_k);
  for (int t = 0; t < 5; ++t)
    for (int j = 0; j < d; ++j) REQUIRE(dx_ref(t, j) == dx_k(t, j));
  CHECK(std::abs(dx_ref(1, 0) - dy(1, 0)) < 1e-6);  // 0.6·dy + 0.4·dy
}
