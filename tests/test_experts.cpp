// FFN expert families: forward against a naive double-precision evaluation,
// BLAS bank against the reference (oracle) bank, padding rows, zero-count
// experts, determinism, FLOP counts, parameters and initialisation, and
// configuration errors.
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "models/experts/expert_options.hpp"
#include "models/experts/ffn_experts.hpp"
#include "models/experts/register_experts.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using namespace moesim;
using Catch::Matchers::ContainsSubstring;

namespace {
struct Fixture {
  Registry registry;
  ConfigSchema schema;
  Fixture() { register_expert_families(registry, schema); }
};
Fixture& fixture() {
  static Fixture f;
  return f;
}

struct Shape {
  int experts, d_model, d_ff;
};

ExpertBankPtr build(const std::string& family, const std::string& activation, int rank, Shape s,
                    Backend backend = Backend::Blas, std::uint64_t seed = 7, int layer = 0) {
  const Config config = Config::resolve(
      fixture().schema, std::nullopt,
      {{"experts.activation", activation}, {"experts.rank", std::to_string(rank)}});
  ExpertSpec spec;
  spec.num_experts = s.experts;
  spec.d_model = s.d_model;
  spec.d_ff = s.d_ff;
  spec.seed = seed;
  spec.layer = layer;
  spec.backend = backend;
  spec.config = &config;
  return fixture().registry.make_experts(family, spec);
}

void fill(HostTensor3& t, std::uint64_t salt, double scale) {
  const std::size_t n1 = t.extent(1), n2 = t.extent(2);
  for (std::size_t e = 0; e < t.extent(0); ++e)
    for (std::size_t i = 0; i < n1; ++i)
      for (std::size_t j = 0; j < n2; ++j)
        t(e, i, j) = static_cast<float>(scale * Philox::normal({9, salt}, (e * n1 + i) * n2 + j));
}

void randomize_biases(ExpertBank& bank) {
  auto params = bank.parameters();
  for (std::size_t p = 0; p < params.size(); ++p)
    if (!params[p]->decay) {
      auto& v = params[p]->value;
      for (std::size_t i = 0; i < v.extent(0); ++i)
        for (std::size_t j = 0; j < v.extent(1); ++j)
          v(i, j) = static_cast<float>(0.2 * Philox::normal({10, p}, i * v.extent(1) + j));
    }
}

bool bit_equal(const HostTensor3& a, const HostTensor3& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
bool bit_equal(const HostMatrix& a, const HostMatrix& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// max |a - b| / max(|b|, floor·max|b|) over all elements.
template <class V>
double relative_error(const V& a, const V& b) {
  const float* pa = a.data();
  const float* pb = b.data();
  double maxabs = 0.0;
  for (std::size_t i = 0; i < b.size(); ++i) maxabs = std::max(maxabs, std::abs(double(pb[i])));
  double worst = 0.0;
  for (std::size_t i = 0; i < b.size(); ++i)
    worst = std::max(worst, std::abs(double(pa[i]) - pb[i]) /
                                std::max({std::abs(double(pb[i])), 1e-2 * maxabs, 1e-30}));
  return worst;
}

// Naive evaluation in double of one expert's output for one input row,
// straight from the parameter values: y = act(x·W1 + b1)·W2 + b2.
std::vector<double> naive_expert(ExpertBank& bank, const std::string& activation, int e,
                                 const std::vector<double>& x, Shape s, int rank) {
  auto params = bank.parameters();
  const int d = s.d_model, ff = s.d_ff, f1 = activation == "swiglu" ? 2 * ff : ff;
  // Dense W1 [d, f1] and W2 [ff, d] for expert e.
  std::vector<double> w1(std::size_t(d) * f1), w2(std::size_t(ff) * d);
  std::size_t p = 0;
  auto dense = [&](std::vector<double>& w, int in, int out) {
    if (rank == 0) {
      auto& W = params[p++]->value;
      for (int i = 0; i < in; ++i)
        for (int j = 0; j < out; ++j) w[std::size_t(i) * out + j] = W(std::size_t(e) * in + i, j);
    } else {
      auto& U = params[p++]->value;
      auto& V = params[p++]->value;
      for (int i = 0; i < in; ++i)
        for (int j = 0; j < out; ++j) {
          double acc = 0.0;
          for (int k = 0; k < rank; ++k)
            acc += double(U(std::size_t(e) * in + i, k)) * V(std::size_t(e) * rank + k, j);
          w[std::size_t(i) * out + j] = acc;
        }
    }
  };
  dense(w1, d, f1);
  auto& b1 = params[p++]->value;
  dense(w2, ff, d);
  auto& b2 = params[p++]->value;
  std::vector<double> pre(f1), h(ff), y(d);
  for (int j = 0; j < f1; ++j) {
    double acc = b1(e, j);
    for (int i = 0; i < d; ++i) acc += x[i] * w1[std::size_t(i) * f1 + j];
    pre[j] = acc;
  }
  for (int j = 0; j < ff; ++j) {
    const double v = pre[j];
    if (activation == "relu") h[j] = v > 0 ? v : 0;
    if (activation == "gelu") h[j] = 0.5 * v * std::erfc(-v / std::sqrt(2.0));
    if (activation == "gelu_tanh")
      h[j] = 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
    if (activation == "swiglu") h[j] = v / (1 + std::exp(-v)) * pre[ff + j];
  }
  for (int j = 0; j < d; ++j) {
    double acc = b2(e, j);
    for (int i = 0; i < ff; ++i) acc += h[i] * w2[std::size_t(i) * d + j];
    y[j] = acc;
  }
  return y;
}
}  // namespace

TEST_CASE("expert forward equals a naive evaluation of act(x·W1 + b1)·W2 + b2", "[experts]") {
  const std::string family = GENERATE("ffn", "lowrank_ffn");
  const std::string activation = GENERATE("relu", "gelu", "gelu_tanh", "swiglu");
  CAPTURE(family, activation);
  const Shape s{3, 6, 10};
  const int rank = family == "ffn" ? 0 : 3;
  auto bank = build(family, activation, rank, s);
  randomize_biases(*bank);
  const std::vector<int> counts = {2, 5, 0};
  HostTensor3 in("in", 3, 5, 6), out("out", 3, 5, 6);
  fill(in, 1, 1.0);
  bank->forward(in, counts, out);
  double worst = 0.0;
  for (int e = 0; e < 3; ++e)
    for (int i = 0; i < counts[e]; ++i) {
      std::vector<double> x(6);
      for (int j = 0; j < 6; ++j) x[j] = in(e, i, j);
      const auto y = naive_expert(*bank, activation, e, x, s, rank);
      for (int j = 0; j < 6; ++j) worst = std::max(worst, std::abs(y[j] - out(e, i, j)) / (1e-3 + std::abs(y[j])));
    }
  CHECK(worst < 1e-4);
}

TEST_CASE("blas expert bank matches the reference bank", "[experts]") {
  const std::string family = GENERATE("ffn", "lowrank_ffn");
  const std::string activation = GENERATE("relu", "gelu", "swiglu");
  CAPTURE(family, activation);
  // Crosses the BLAS tiles: 300 rows > 256, F1 up to 2·530 > 1024 columns.
  const Shape s{3, 24, 530};
  const int rank = family == "ffn" ? 0 : 16;
  const std::vector<int> counts = {300, 0, 131};
  auto fast = build(family, activation, rank, s, Backend::Blas);
  auto ref = build(family, activation, rank, s, Backend::Reference);
  randomize_biases(*fast);
  randomize_biases(*ref);
  HostTensor3 in("in", 3, 300, 24), g("g", 3, 300, 24);
  fill(in, 2, 1.0);
  fill(g, 3, 1.0);
  HostTensor3 out_f("out_f", 3, 300, 24), out_r("out_r", 3, 300, 24);
  HostTensor3 din_f("din_f", 3, 300, 24), din_r("din_r", 3, 300, 24);
  fast->forward(in, counts, out_f);
  ref->forward(in, counts, out_r);
  fast->backward(g, counts, din_f);
  ref->backward(g, counts, din_r);
  CHECK(relative_error(out_f, out_r) < 1e-4);
  CHECK(relative_error(din_f, din_r) < 1e-4);
  auto pf = fast->parameters(), pr = ref->parameters();
  REQUIRE(pf.size() == pr.size());
  for (std::size_t p = 0; p < pf.size(); ++p) {
    CAPTURE(pf[p]->name);
    CHECK(bit_equal(pf[p]->value, pr[p]->value));  // same initialisation
    CHECK(relative_error(pf[p]->grad, pr[p]->grad) < 1e-4);
  }
}

TEST_CASE("rows past counts[e] do not affect outputs or gradients", "[experts]") {
  const std::string family = GENERATE("ffn", "lowrank_ffn");
  const std::string activation = GENERATE("relu", "swiglu");
  CAPTURE(family, activation);
  const Shape s{3, 5, 7};
  const std::vector<int> counts = {2, 0, 4};
  auto a = build(family, activation, 2, s), b = build(family, activation, 2, s);
  HostTensor3 in_a("in_a", 3, 6, 5), in_b("in_b", 3, 6, 5), g_a("g_a", 3, 6, 5), g_b("g_b", 3, 6, 5);
  fill(in_a, 4, 1.0);
  fill(g_a, 5, 1.0);
  fill(in_b, 6, 1e3);  // garbage everywhere ...
  fill(g_b, 7, 1e3);
  for (int e = 0; e < 3; ++e)  // ... except the real rows
    for (int i = 0; i < counts[e]; ++i)
      for (int j = 0; j < 5; ++j) {
        in_b(e, i, j) = in_a(e, i, j);
        g_b(e, i, j) = g_a(e, i, j);
      }
  HostTensor3 out_a("out_a", 3, 6, 5), out_b("out_b", 3, 6, 5), din_a("din_a", 3, 6, 5),
      din_b("din_b", 3, 6, 5);
  Kokkos::deep_copy(out_b, 123.0f);  // stale values must be overwritten
  Kokkos::deep_copy(din_b, -5.0f);
  a->forward(in_a, counts, out_a);
  b->forward(in_b, counts, out_b);
  a->backward(g_a, counts, din_a);
  b->backward(g_b, counts, din_b);
  CHECK(bit_equal(out_a, out_b));
  CHECK(bit_equal(din_a, din_b));
  bool padding_zero = true, real_nonzero = false;
  for (int e = 0; e < 3; ++e)
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 5; ++j) {
        if (i >= counts[e]) padding_zero = padding_zero && out_b(e, i, j) == 0.0f && din_b(e, i, j) == 0.0f;
        else real_nonzero = real_nonzero || out_b(e, i, j) != 0.0f;
      }
  CHECK(padding_zero);
  CHECK(real_nonzero);
  auto pa = a->parameters(), pb = b->parameters();
  for (std::size_t p = 0; p < pa.size(); ++p) {
    CAPTURE(pa[p]->name);
    CHECK(bit_equal(pa[p]->grad, pb[p]->grad));
  }
}

TEST_CASE("zero-count experts produce nothing and get zero gradient", "[experts]") {
  const std::string family = GENERATE("ffn", "lowrank_ffn");
  CAPTURE(family);
  const int E = 4;
  const Shape s{E, 6, 8};
  const std::vector<int> counts = {3, 0, 5, 0};
  auto bank = build(family, "gelu", 2, s);
  randomize_biases(*bank);
  HostTensor3 in("in", E, 5, 6), g("g", E, 5, 6), out("out", E, 5, 6), din("din", E, 5, 6);
  fill(in, 8, 1.0);
  fill(g, 9, 1.0);
  bank->forward(in, counts, out);
  bank->backward(g, counts, din);
  for (int e = 0; e < E; ++e) {
    double out_abs = 0.0, din_abs = 0.0;
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 6; ++j) {
        out_abs += std::abs(out(e, i, j));
        din_abs += std::abs(din(e, i, j));
      }
    CAPTURE(e);
    if (counts[e] == 0) {
      CHECK(out_abs == 0.0);  // even with non-zero b2: no tokens, no output
      CHECK(din_abs == 0.0);
    } else {
      CHECK(out_abs > 0.0);
      CHECK(din_abs > 0.0);
    }
  }
  // Every parameter is stacked by expert: E equal row blocks.
  for (auto* p : bank->parameters()) {
    CAPTURE(p->name);
    REQUIRE(p->grad.extent(0) % E == 0);
    const std::size_t block = p->grad.extent(0) / E;
    for (int e = 0; e < E; ++e) {
      double sum = 0.0;
      for (std::size_t i = e * block; i < (e + 1) * block; ++i)
        for (std::size_t j = 0; j < p->grad.extent(1); ++j) sum += std::abs(p->grad(i, j));
      CAPTURE(e);
      if (counts[e] == 0) CHECK(sum == 0.0);
      else CHECK(sum > 0.0);
    }
  }
  CHECK(bank->forward_flops({0, 0, 0, 0}) == 0.0);
}

TEST_CASE("gradients accumulate across backward calls", "[experts]") {
  auto bank = build("ffn", "gelu", 0, {2, 4, 6});
  const std::vector<int> counts = {3, 2};
  HostTensor3 in("in", 2, 3, 4), g("g", 2, 3, 4), out("out", 2, 3, 4), din("din", 2, 3, 4);
  fill(in, 10, 1.0);
  fill(g, 11, 1.0);
  bank->forward(in, counts, out);
  bank->backward(g, counts, din);
  std::vector<HostMatrix> once;
  for (auto* p : bank->parameters()) {
    HostMatrix c("c", p->grad.extent(0), p->grad.extent(1));
    Kokkos::deep_copy(c, p->grad);
    once.push_back(c);
  }
  bank->backward(g, counts, din);
  auto params = bank->parameters();
  for (std::size_t p = 0; p < params.size(); ++p) {
    double worst = 0.0;
    for (std::size_t i = 0; i < once[p].extent(0); ++i)
      for (std::size_t j = 0; j < once[p].extent(1); ++j)
        worst = std::max(worst, std::abs(double(params[p]->grad(i, j)) - 2.0 * once[p](i, j)));
    CAPTURE(params[p]->name);
    CHECK(worst < 1e-5);
  }
}

TEST_CASE("expert banks are deterministic for a seed", "[experts][determinism]") {
  const std::string family = GENERATE("ffn", "lowrank_ffn");
  CAPTURE(family);
  // Large enough for several GEMM tiles and kernel work items.
  const Shape s{2, 64, 600};
  const std::vector<int> counts = {400, 270};
  auto run = [&](std::uint64_t seed, int layer, std::vector<float>& result) {
    auto bank = build(family, "swiglu", 0, s, Backend::Blas, seed, layer);
    HostTensor3 in("in", 2, 400, 64), g("g", 2, 400, 64), out("out", 2, 400, 64),
        din("din", 2, 400, 64);
    fill(in, 12, 1.0);
    fill(g, 13, 1.0);
    bank->forward(in, counts, out);
    bank->backward(g, counts, din);
    result.assign(out.data(), out.data() + out.size());
    result.insert(result.end(), din.data(), din.data() + din.size());
    for (auto* p : bank->parameters()) {
      result.insert(result.end(), p->value.data(), p->value.data() + p->value.size());
      result.insert(result.end(), p->grad.data(), p->grad.data() + p->grad.size());
    }
  };
  std::vector<float> r1, r2, r3, r4;
  run(5, 0, r1);
  run(5, 0, r2);
  run(6, 0, r3);
  run(5, 1, r4);
  REQUIRE(r1.size() == r2.size());
  CHECK(std::memcmp(r1.data(), r2.data(), r1.size() * sizeof(float)) == 0);
  CHECK(r1 != r3);  // another seed, other weights
  CHECK(r1 != r4);  // another layer, other weights
  // A checksum to compare runs with MOESIM_TEST_THREADS=1 and 2 (-s prints it).
  std::uint64_t hash = 1469598103934665603ull;
  for (float v : r1) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    hash = (hash ^ bits) * 1099511628211ull;
  }
  CAPTURE(hash);
  CHECK(hash != 0);
}

TEST_CASE("expert forward_flops counts GEMMs and elementwise ops exactly", "[experts]") {
  const Shape s{3, 8, 16};
  const std::vector<int> counts = {5, 0, 7};
  const double n = 12;  // tokens over the experts
  SECTION("ffn gelu") {
    auto bank = build("ffn", "gelu", 0, s);
    const double expect = n * (2.0 * 8 * 16 + 16 + 5.0 * 16 + 2.0 * 16 * 8 + 8);
    CHECK(bank->forward_flops(counts) == expect);
  }
  SECTION("ffn swiglu") {
    auto bank = build("ffn", "swiglu", 0, s);
    const double expect = n * (2.0 * 8 * 32 + 32 + 4.0 * 16 + 2.0 * 16 * 8 + 8);
    CHECK(bank->forward_flops(counts) == expect);
  }
  SECTION("lowrank_ffn relu, rank 3") {
    auto bank = build("lowrank_ffn", "relu", 3, s);
    const double expect =
        n * (2.0 * 8 * 3 + 2.0 * 3 * 16 + 16 + 1.0 * 16 + 2.0 * 16 * 3 + 2.0 * 3 * 8 + 8);
    CHECK(bank->forward_flops(counts) == expect);
  }
  SECTION("lowrank_ffn gelu_tanh, default rank d_ff/8 = 2") {
    auto bank = build("lowrank_ffn", "gelu_tanh", 0, s);
    const double expect =
        n * (2.0 * 8 * 2 + 2.0 * 2 * 16 + 16 + 9.0 * 16 + 2.0 * 16 * 2 + 2.0 * 2 * 8 + 8);
    CHECK(bank->forward_flops(counts) == expect);
  }
}

TEST_CASE("expert parameters: names, shapes, decay and initialisation", "[experts]") {
  SECTION("ffn") {
    auto bank = build("ffn", "swiglu", 0, {4, 64, 96}, Backend::Blas, 3, 2);
    auto params = bank->parameters();
    REQUIRE(params.size() == 4);
    CHECK(params[0]->name == "layer2.experts.w1");
    CHECK(params[0]->value.extent(0) == 4 * 64);
    CHECK(params[0]->value.extent(1) == 2 * 96);
    CHECK(params[1]->name == "layer2.experts.b1");
    CHECK(params[1]->value.extent(0) == 4);
    CHECK(params[1]->value.extent(1) == 2 * 96);
    CHECK(params[2]->name == "layer2.experts.w2");
    CHECK(params[2]->value.extent(0) == 4 * 96);
    CHECK(params[2]->value.extent(1) == 64);
    CHECK(params[3]->name == "layer2.experts.b2");
    CHECK(params[3]->value.extent(1) == 64);
    CHECK(params[0]->decay);
    CHECK_FALSE(params[1]->decay);
    // W ~ N(0, 1/fan_in); biases zero.
    auto stddev = [](const HostMatrix& m) {
      double s = 0.0, s2 = 0.0;
      for (std::size_t i = 0; i < m.size(); ++i) {
        s += m.data()[i];
        s2 += double(m.data()[i]) * m.data()[i];
      }
      const double mean = s / m.size();
      return std::sqrt(s2 / m.size() - mean * mean);
    };
    CHECK(std::abs(stddev(params[0]->value) * std::sqrt(64.0) - 1.0) < 0.03);
    CHECK(std::abs(stddev(params[2]->value) * std::sqrt(96.0) - 1.0) < 0.03);
    double bias_abs = 0.0;
    for (std::size_t i = 0; i < params[1]->value.size(); ++i) bias_abs += std::abs(params[1]->value.data()[i]);
    CHECK(bias_abs == 0.0);
  }
  SECTION("lowrank_ffn: factor shapes and product variance 1/fan_in") {
    auto bank = build("lowrank_ffn", "gelu", 4, {2, 64, 80});
    auto params = bank->parameters();
    REQUIRE(params.size() == 6);
    const char* names[] = {"layer0.experts.w1.u", "layer0.experts.w1.v", "layer0.experts.b1",
                           "layer0.experts.w2.u", "layer0.experts.w2.v", "layer0.experts.b2"};
    const std::size_t shapes[6][2] = {{2 * 64, 4}, {2 * 4, 80}, {2, 80}, {2 * 80, 4}, {2 * 4, 64}, {2, 64}};
    for (int p = 0; p < 6; ++p) {
      CHECK(params[p]->name == names[p]);
      CHECK(params[p]->value.extent(0) == shapes[p][0]);
      CHECK(params[p]->value.extent(1) == shapes[p][1]);
    }
    auto& u = params[0]->value;
    auto& v = params[1]->value;
    double s2 = 0.0;
    for (int e = 0; e < 2; ++e)
      for (int i = 0; i < 64; ++i)
        for (int j = 0; j < 80; ++j) {
          double w = 0.0;
          for (int k = 0; k < 4; ++k) w += double(u(e * 64 + i, k)) * v(e * 4 + k, j);
          s2 += w * w;
        }
    CHECK(std::abs(s2 / (2 * 64 * 80) * 64.0 - 1.0) < 0.35);  // few independent factors
    auto* ffn = dynamic_cast<FfnExpertBank*>(bank.get());
    REQUIRE(ffn != nullptr);
    CHECK(ffn->rank() == 4);
  }
}

TEST_CASE("expert families are registered with their keys", "[experts]") {
  const auto names = fixture().registry.list("experts");
  REQUIRE(names.count("ffn") == 1);
  REQUIRE(names.count("lowrank_ffn") == 1);
  CHECK_FALSE(names.at("ffn").empty());
  CHECK(names.at("ffn").find('\n') == std::string::npos);
  const KeySpec* act = fixture().schema.find("experts.activation");
  REQUIRE(act != nullptr);
  CHECK(act->type == KeyType::Choice);
  CHECK(act->default_value == "gelu");
  CHECK(act->choices == std::vector<std::string>{"relu", "gelu", "gelu_tanh", "swiglu"});
  CHECK_FALSE(act->help.empty());
  const KeySpec* rank = fixture().schema.find("experts.rank");
  REQUIRE(rank != nullptr);
  CHECK(rank->type == KeyType::Int);
  REQUIRE(rank->min.has_value());
  CHECK(*rank->min == 0.0);
  CHECK_FALSE(rank->help.empty());
  // Defaults: gelu, rank d_ff/8.
  const Config config = Config::resolve(fixture().schema, std::nullopt, {});
  ExpertSpec spec;
  spec.num_experts = 2;
  spec.d_model = 8;
  spec.d_ff = 64;
  spec.config = &config;
  auto bank = fixture().registry.make_experts("lowrank_ffn", spec);
  auto* ffn = dynamic_cast<FfnExpertBank*>(bank.get());
  REQUIRE(ffn != nullptr);
  CHECK(ffn->rank() == 8);
  CHECK(ffn->activation() == Activation::Gelu);
  spec.config = nullptr;  // no config: the same defaults
  auto dense = fixture().registry.make_experts("ffn", spec);
  CHECK(dynamic_cast<FfnExpertBank*>(dense.get())->activation() == Activation::Gelu);
  CHECK(dynamic_cast<FfnExpertBank*>(dense.get())->rank() == 0);
}

TEST_CASE("bad expert keys and shapes are usage errors naming the key", "[experts]") {
  CHECK_THROWS_WITH(Config::resolve(fixture().schema, std::nullopt, {{"experts.activation", "softmax"}}),
                    ContainsSubstring("experts.activation"));
  CHECK_THROWS_AS(Config::resolve(fixture().schema, std::nullopt, {{"experts.activation", "softmax"}}),
                  UsageError);
  CHECK_THROWS_WITH(Config::resolve(fixture().schema, std::nullopt, {{"experts.rank", "-1"}}),
                    ContainsSubstring("experts.rank"));
  CHECK_THROWS_AS(Config::resolve(fixture().schema, std::nullopt, {{"experts.rank", "-1"}}),
                  UsageError);
  // The families' own checks (for callers that bypass the schema).
  CHECK_THROWS_AS(parse_expert_activation("tanh"), UsageError);
  CHECK_THROWS_WITH(parse_expert_activation("tanh"),
                    ContainsSubstring("experts.activation") && ContainsSubstring("tanh") &&
                        ContainsSubstring("swiglu"));
  CHECK_THROWS_AS(resolve_expert_rank(-3, 64), UsageError);
  CHECK_THROWS_WITH(resolve_expert_rank(-3, 64), ContainsSubstring("experts.rank"));
  CHECK(resolve_expert_rank(0, 64) == 8);
  CHECK(resolve_expert_rank(0, 4) == 1);
  CHECK(resolve_expert_rank(5, 64) == 5);
  CHECK(parse_expert_activation("gelu_tanh") == Activation::GeluTanh);
  ExpertSpec spec;
  spec.num_experts = 2;
  spec.d_model = 4;
  spec.d_ff = 8;
  CHECK_THROWS_WITH(FfnExpertBank(spec, Activation::Relu, -2), ContainsSubstring("experts.rank"));
  spec.d_ff = 0;
  CHECK_THROWS_WITH(FfnExpertBank(spec, Activation::Relu, 0), ContainsSubstring("model.d_ff"));
  spec.d_ff = 8;
  spec.num_experts = 0;
  CHECK_THROWS_WITH(FfnExpertBank(spec, Activation::Relu, 0), ContainsSubstring("model.experts"));
}

TEST_CASE("expert bank rejects mismatched buffers", "[experts]") {
  auto bank = build("ffn", "relu", 0, {2, 4, 6});
  HostTensor3 in("in", 2, 3, 4), out("out", 2, 3, 4), wrong("wrong", 2, 3, 5);
  CHECK_THROWS_AS(bank->forward(in, {4, 1}, out), std::invalid_argument);   // count > capacity
  CHECK_THROWS_AS(bank->forward(in, {1}, out), std::invalid_argument);      // too few counts
  CHECK_THROWS_AS(bank->forward(wrong, {1, 1}, wrong), std::invalid_argument);
  CHECK_NOTHROW(bank->forward(in, {3, 0}, out));
  HostTensor3 big("big", 2, 5, 4);
  CHECK_THROWS_AS(bank->backward(big, {1, 1}, big), std::invalid_argument);  // capacity changed
}
