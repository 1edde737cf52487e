// Finite-difference gradient check of every baseline router: the loss
//   L = Σ_a w_a · r(token_a, expert_a) + aux_coef · aux_loss + z_coef · z_loss
// (r a fixed random matrix, standing in for <expert output, upstream grad>)
// is differentiated by backward() and by central differences over every input
// x and every parameter. Routing is discrete: a coordinate whose ±h
// perturbation changes the dispatch (token, expert, slot) is skipped, and
// most coordinates must remain checkable.
#include "config/config.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "models/baselines/expert_dropout.hpp"
#include "models/baselines/register_baselines.hpp"
#include "train/experiment.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <cmath>
#include <tuple>
#include <vector>

using namespace moesim;

namespace {

struct Harness {
  Harness(Router& rt, HostMatrix xs, HostMatrix rs) : router(rt), x(xs), r(rs) {}
  Router& router;
  HostMatrix x;
  HostMatrix r;  // [T, E]
  RouteContext ctx;
  double aux_coef = 0.3, z_coef = 0.2;

  std::vector<std::tuple<int, int, int>> signature;

  double loss(std::vector<std::tuple<int, int, int>>* sig = nullptr) {
    const auto d = router.forward(x, ctx);
    double l = aux_coef * d.aux_loss + z_coef * d.z_loss;
    for (const auto& a : d.assignments) l += double(a.weight) * r(a.token, a.expert);
    if (sig) {
      sig->clear();
      for (const auto& a : d.assignments) sig->emplace_back(a.token, a.expert, a.slot);
      sig->emplace_back(-1, static_cast<int>(d.tokens_dropped), 0);
    }
    return l;
  }

  // Central difference of L in one float coordinate; false if routing changed.
  bool fd(float& v, double h, double& out) {
    const float keep = v;
    std::vector<std::tuple<int, int, int>> up_sig, down_sig;
    v = keep + static_cast<float>(h);
    const double up = loss(&up_sig);
    v = keep - static_cast<float>(h);
    const double down = loss(&down_sig);
    v = keep;
    if (up_sig != signature || down_sig != signature) return false;
    out = (up - down) / (2 * h);
    return true;
  }
};

RouterSpec spec_of(int d, int E, int k, double cf, const Config* config) {
  RouterSpec s;
  s.d_model = d;
  s.num_experts = E;
  s.top_k = k;
  s.capacity_factor = cf;
  s.seed = 5;
  s.layer = 1;
  s.config = config;
  return s;
}

void check_router(const std::string& name, const Registry& registry, const Config* config) {
  CAPTURE(name);
  const int T = 12, d = 5, E = 4, k = 2;
  auto router = registry.make_router(name, spec_of(d, E, k, 1.0, config));  // capacity binds
  // Weights of a scale where the routing depends on x and the noise gate matters.
  std::uint64_t salt = 0;
  for (Parameter* p : router->parameters()) {
    ++salt;
    for (std::size_t i = 0; i < p->value.extent(0); ++i)
      for (std::size_t j = 0; j < p->value.extent(1); ++j)
        p->value(i, j) = static_cast<float>(0.6 * Philox::normal({77, salt}, i * p->value.extent(1) + j));
  }
  Harness h(*router, HostMatrix("x", T, d), HostMatrix("r", T, E));
  for (int t = 0; t < T; ++t) {
    for (int j = 0; j < d; ++j) h.x(t, j) = static_cast<float>(Philox::normal({78, 1}, t * d + j));
    for (int e = 0; e < E; ++e) h.r(t, e) = static_cast<float>(Philox::normal({78, 2}, t * E + e));
  }
  h.ctx.training = true;
  h.ctx.step = 4;
  if (config) {  // with expert dropout: a step at which some expert is dropped
    ExpertDropout dropout(spec_of(d, E, k, 1.0, config));
    REQUIRE(dropout.probability() > 0);
    while (dropout.mask(E, h.ctx) == std::vector<char>(E, 0)) ++h.ctx.step;
  }

  // Analytic gradient.
  h.loss(&h.signature);
  const auto dispatch = router->forward(h.x, h.ctx);
  DispatchGrad grad;
  for (const auto& a : dispatch.assignments) grad.d_weight.push_back(h.r(a.token, a.expert));
  for (Parameter* p : router->parameters()) p->zero_grad();
  HostMatrix dx("dx", T, d);
  router->backward(h.x, dispatch, grad, h.aux_coef, h.z_coef, dx);

  const double step = 2e-3;
  int checked = 0, total = 0, bad = 0;
  double worst = 0;
  auto compare = [&](double analytic, double numeric) {
    const double err = std::abs(analytic - numeric);
    const double tol = 5e-4 + 5e-3 * std::abs(numeric);
    worst = std::max(worst, err / tol);
    if (err > tol) {
      ++bad;
      UNSCOPED_INFO("analytic " << analytic << " numeric " << numeric);
    }
  };
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < d; ++j) {
      ++total;
      double num;
      if (h.fd(h.x(t, j), step, num)) {
        ++checked;
        compare(dx(t, j), num);
      }
    }
  for (Parameter* p : router->parameters())
    for (std::size_t i = 0; i < p->value.extent(0); ++i)
      for (std::size_t j = 0; j < p->value.extent(1); ++j) {
        ++total;
        double num;
        if (h.fd(p->value(i, j), step, num)) {
          ++checked;
          compare(p->grad(i, j), num);
        }
      }
  // A router with parameters must produce a nonzero gradient; hash none at all.
  double norm = 0;
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < d; ++j) norm += std::abs(dx(t, j));
  CAPTURE(checked, total, worst, norm);
  if (router->parameters().empty())
    CHECK(norm == 0.0);
  else
    CHECK(norm > 1e-2);
  CHECK(bad == 0);
  CHECK(checked >= 0.8 * total);
}

}  // namespace

TEST_CASE("router gradients match central differences", "[routers][gradients]") {
  Registry registry;
  ConfigSchema schema;
  register_baseline_routers(registry, schema);
  const std::string name = GENERATE("topk", "noisy_topk", "switch", "gshard", "batch_prioritized",
                                    "expert_choice", "dense", "hash");
  check_router(name, registry, nullptr);
}

TEST_CASE("router gradients with expert dropout match central differences", "[routers][gradients]") {
  Registry registry;
  ConfigSchema schema;
  declare_core_keys(schema);
  register_baseline_routers(registry, schema);
  for (const auto& [router, _] : registry.list("routers")) schema.add_choice("model.router", router);
  // the default variant list names routers registered elsewhere
  const auto config = Config::resolve(schema, std::nullopt,
                                      {{"experiment.variants", "switch"}, {"model.expert_dropout", "0.3"}});
  const std::string name = GENERATE("topk", "noisy_topk", "gshard", "expert_choice", "dense");
  check_router(name, registry, &config);
}

TEST_CASE("noisy_topk gradient in evaluation mode (no noise, counted load)", "[routers][gradients]") {
  Registry registry;
  ConfigSchema schema;
  register_baseline_routers(registry, schema);
  auto router = registry.make_router("noisy_topk", spec_of(4, 4, 2, 2.0, nullptr));
  HostMatrix x("x", 6, 4);
  for (int t = 0; t < 6; ++t)
    for (int j = 0; j < 4; ++j) x(t, j) = static_cast<float>(Philox::normal({79, 1}, t * 4 + j));
  RouteContext eval;
  eval.training = false;
  const auto a = router->forward(x, eval);
  const auto b = router->forward(x, eval);
  CHECK(a.aux_loss == b.aux_loss);  // no noise outside training
  HostMatrix dx("dx", 6, 4);
  DispatchGrad g;
  g.d_weight.assign(a.assignments.size(), 1.0f);
  router->backward(x, a, g, 1.0, 1.0, dx);
  for (Parameter* p : router->parameters())
    if (p->name.find("noise") != std::string::npos)
      for (std::size_t i = 0; i < p->grad.extent(0); ++i)
        for (std::size_t j = 0; j < p->grad.extent(1); ++j) CHECK(p->grad(i, j) == 0.0f);
}
