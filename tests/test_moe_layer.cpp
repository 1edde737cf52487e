// MoELayer and MoEModel with the registered routers and experts: the fast
// path (Kokkos kernels + tiled BLAS) against the reference oracle, layer
// gradients (through gates, experts and router losses) against finite
// differences, and shared + fine-grained experts wiring.
#include "config/config.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "gradcheck.hpp"
#include "model/cross_entropy.hpp"
#include "model/moe_model.hpp"
#include "models/register_models.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <cmath>

using namespace moesim;
using moesim::testing::max_gradient_error;
using moesim::testing::weighted_sum;

namespace {
struct Fixture {
  Registry registry;
  ConfigSchema schema;
  Fixture() { register_builtins(registry, schema); }
  Config config(const std::vector<std::pair<std::string, std::string>>& sets = {}) {
    return Config::resolve(schema, std::nullopt, sets);
  }
};
HostMatrix random(std::size_t r, std::size_t c, std::uint64_t salt, float scale = 1.0f) {
  HostMatrix m("m", r, c);
  for (std::size_t i = 0; i < m.size(); ++i) m(i / c, i % c) = scale * float(Philox::normal({9, salt}, i));
  return m;
}
ModelSpec small_spec(const Config& c, const std::string& router, Backend backend) {
  ModelSpec s = model_spec_from_config(c, 6, 3, 11);
  s.router = router;
  s.d_model = 8;
  s.d_ff = 12;
  s.experts = 4;
  s.top_k = 2;
  s.layers = 2;
  s.backend = backend;
  return s;
}
}  // namespace

TEST_CASE("model: Blas path equals the reference oracle", "[moe][model]") {
  Fixture fx;
  const auto cfg = fx.config();
  const std::string router = GENERATE("switch", "gshard", "expert_choice", "soft_moe", "dense", "hash", "topk");
  INFO(router);
  MoEModel fast(fx.registry, small_spec(cfg, router, Backend::Blas));
  MoEModel ref(fx.registry, small_spec(cfg, router, Backend::Reference));
  auto x = random(24, 6, 1);
  HostMatrix lf("lf", 24, 3), lr("lr", 24, 3), dl("dl", 24, 3);
  std::vector<std::uint64_t> ids(24);
  for (int i = 0; i < 24; ++i) ids[i] = 100 + i;
  RouteContext ctx;
  ctx.step = 3;
  ctx.token_ids = ids.data();
  fast.forward(x, ctx, lf);
  ref.forward(x, ctx, lr);
  double worst = 0;
  for (int i = 0; i < 24; ++i)
    for (int c = 0; c < 3; ++c) worst = std::max(worst, double(std::abs(lf(i, c) - lr(i, c))));
  CHECK(worst < 1e-4);
  std::vector<int> labels(24);
  for (int i = 0; i < 24; ++i) labels[i] = i % 3;
  cross_entropy(lf, labels, &dl);
  fast.zero_grad();
  ref.zero_grad();
  fast.backward(dl, 0.01, 0.001);
  ref.backward(dl, 0.01, 0.001);
  const auto pf = fast.parameters(), pr = ref.parameters();
  REQUIRE(pf.size() == pr.size());
  for (std::size_t k = 0; k < pf.size(); ++k) {
    double g = 0, scale = 1e-6;
    for (std::size_t i = 0; i < pf[k]->size(); ++i) {
      g = std::max(g, double(std::abs(pf[k]->grad.data()[i] - pr[k]->grad.data()[i])));
      scale = std::max(scale, double(std::abs(pr[k]->grad.data()[i])));
    }
    INFO(pf[k]->name);
    CHECK(g / scale < 1e-3);
  }
}

TEST_CASE("model gradient matches finite differences", "[moe][model][gradcheck]") {
  Fixture fx;
  const auto cfg = fx.config();
  // Routers whose routing decision is locally constant, so the loss is smooth
  // in the parameters at a generic point (hash has no router gradient).
  const std::string router = GENERATE("switch", "topk", "soft_moe", "dense", "expert_choice", "hash");
  INFO(router);
  ModelSpec spec = small_spec(cfg, router, Backend::Reference);
  spec.capacity_factor = 4.0;  // no drops: dropping is a discontinuity
  MoEModel model(fx.registry, spec);
  auto x = random(10, 6, 2);
  std::vector<int> labels(10);
  for (int i = 0; i < 10; ++i) labels[i] = (i * 7) % 3;
  std::vector<std::uint64_t> ids(10);
  for (int i = 0; i < 10; ++i) ids[i] = i;
  HostMatrix logits("l", 10, 3), dl("dl", 10, 3);
  RouteContext ctx;
  ctx.training = false;  // no noise, no expert dropout: a deterministic function
  ctx.token_ids = ids.data();
  const double aux = 0.05, z = 0.01;
  auto loss = [&] {
    model.forward(x, ctx, logits);
    return cross_entropy(logits, labels, nullptr).loss + aux * model.aux_loss() + z * model.z_loss();
  };
  loss();
  cross_entropy(logits, labels, &dl);
  model.zero_grad();
  model.backward(dl, aux, z);
  // The routing decisions of every layer: a change is a discontinuity.
  auto decisions = [&] {
    std::vector<std::pair<int, int>> d;
    for (int l = 0; l < model.num_layers(); ++l)
      for (const auto& a : model.layer(l).dispatch().assignments) d.emplace_back(a.token, a.expert);
    return d;
  };
  std::size_t compared = 0, total = 0;
  for (auto* p : model.parameters()) {
    INFO(p->name);
    const auto r = moesim::testing::piecewise_gradient_error(p->value, p->grad, loss, decisions);
    CHECK(r.worst < 5e-2);
    compared += r.compared;
    total += r.total;
  }
  // Expert choice re-ranks tokens under small perturbations: more elements
  // sit at a discontinuity than for token-choice routers.
  CHECK(compared >= 0.8 * total);
}

TEST_CASE("shared and fine-grained experts (DeepSeekMoE) change the layer shape", "[moe][model]") {
  Fixture fx;
  const auto cfg = fx.config();
  ModelSpec spec = small_spec(cfg, "topk", Backend::Blas);
  spec.shared_experts = 1;
  spec.expert_granularity = 2;  // 8 experts of d_ff 6, top-4
  MoEModel model(fx.registry, spec);
  CHECK(model.spec().routed_experts() == 8);
  CHECK(model.spec().routed_top_k() == 4);
  auto x = random(16, 6, 3);
  HostMatrix logits("l", 16, 3);
  RouteContext ctx;
  model.forward(x, ctx, logits);
  const auto& d = model.layer(0).dispatch();
  CHECK(d.num_experts == 8);
  int per_token0 = 0;
  for (const auto& a : d.assignments) per_token0 += a.token == 0;
  CHECK(per_token0 <= 4);
  // The shared expert's FLOPs are counted: 16 tokens through d_model 8 -> d_ff 6 -> 8.
  CHECK(model.layer(0).stats().shared_flops >= 2.0 * 16 * 8 * 6 * 2);
  ModelSpec bad = spec;
  bad.expert_granularity = 5;  // does not divide d_ff = 12
  CHECK_THROWS(MoEModel(fx.registry, bad));
}

TEST_CASE("dropout: masks are deterministic, scaled, and differentiated through", "[moe][model]") {
  Fixture fx;
  const auto cfg = fx.config();
  ModelSpec spec = small_spec(cfg, "dense", Backend::Reference);
  spec.dropout = 0.25;
  MoEModel model(fx.registry, spec);
  auto x = random(40, 6, 5);
  std::vector<int> labels(40);
  for (int i = 0; i < 40; ++i) labels[i] = i % 3;
  HostMatrix logits("l", 40, 3), again("a", 40, 3), eval("e", 40, 3), dl("dl", 40, 3);
  RouteContext ctx;
  ctx.training = true;
  ctx.step = 7;
  auto loss = [&] {
    model.forward(x, ctx, logits);
    return cross_entropy(logits, labels, nullptr).loss;
  };
  loss();
  model.forward(x, ctx, again);  // same step: same masks
  for (int i = 0; i < 40; ++i) CHECK(again(i, 0) == logits(i, 0));
  ctx.step = 8;  // another step: other masks
  model.forward(x, ctx, again);
  bool differs = false;
  for (int i = 0; i < 40; ++i) differs |= again(i, 0) != logits(i, 0);
  CHECK(differs);
  ctx.step = 7;
  // Inference never drops: two evaluations agree with a dropout-free model.
  RouteContext infer;
  infer.training = false;
  ModelSpec plain = spec;
  plain.dropout = 0.0;
  MoEModel reference(fx.registry, plain);
  model.forward(x, infer, eval);
  reference.forward(x, infer, again);
  for (int i = 0; i < 40; ++i) CHECK(eval(i, 1) == again(i, 1));

  loss();
  cross_entropy(logits, labels, &dl);
  model.zero_grad();
  model.backward(dl, 0.0, 0.0);
  for (auto* p : model.parameters()) {
    INFO(p->name);
    CHECK(max_gradient_error(p->value, p->grad, loss, 1e-2, 1e-2) < 5e-2);
  }
}
