// Behaviour of the second baseline router set against hand-computed examples:
// Soft MoE dispatch / combine, Sinkhorn balance of BASE, the aux-free bias
// rule, null experts' adaptive compute, the hierarchical product of levels,
// DynMoE thresholds, bad keys and determinism.
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "models/baselines/aux_free_router.hpp"
#include "models/baselines/base_router.hpp"
#include "models/baselines/hierarchical_router.hpp"
#include "models/baselines/null_experts_router.hpp"
#include "models/baselines/register_baselines_extra.hpp"
#include "models/baselines/soft_moe_router.hpp"
#include "models/baselines/topany_router.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cmath>
#include <cstring>
#include <iostream>

using namespace moesim;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;

namespace {

RouterSpec spec_of(int d, int E, int k, double cf, const Config* config = nullptr) {
  RouterSpec s;
  s.d_model = d;
  s.num_experts = E;
  s.top_k = k;
  s.capacity_factor = cf;
  s.seed = 42;
  s.config = config;
  return s;
}

HostMatrix matrix(int r, int c, std::initializer_list<float> v) {
  HostMatrix m("m", r, c);
  auto it = v.begin();
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) m(i, j) = *it++;
  return m;
}

HostMatrix random_x(int T, int d, std::uint64_t salt) {
  HostMatrix x("x", T, d);
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < d; ++j) x(t, j) = static_cast<float>(Philox::normal({17, salt}, t * d + j));
  return x;
}

void set(Parameter& p, std::initializer_list<float> v) {
  auto it = v.begin();
  for (std::size_t i = 0; i < p.value.extent(0); ++i)
    for (std::size_t j = 0; j < p.value.extent(1); ++j) p.value(i, j) = *it++;
}

double sigm(double a) { return 1.0 / (1.0 + std::exp(-a)); }

}  // namespace

TEST_CASE("soft_moe on a hand-computed 3-token example", "[routers][soft_moe]") {
  SoftMoERouter::Options o;
  o.slots_per_expert = 1;
  o.normalize = false;
  SoftMoERouter r(spec_of(2, 2, 1, 1.0), o);
  set(r.phi(), {1, 0, 0, 1});  // logits = X
  const HostMatrix x = matrix(3, 2, {1, 0, 0, 1, 1, 1});
  const Dispatch d = r.forward(x, {});
  REQUIRE(d.soft);
  REQUIRE(d.dispatch.extent(0) == 2);
  REQUIRE(d.dispatch.extent(1) == 3);
  REQUIRE(d.combine.extent(0) == 3);
  REQUIRE(d.combine.extent(1) == 2);
  const double e = std::exp(1.0);
  const double big = e / (2 * e + 1), small = 1 / (2 * e + 1);  // softmax([1,0,1]) etc.
  const double dexp[2][3] = {{big, small, big}, {small, big, big}};
  for (int c = 0; c < 2; ++c)
    for (int t = 0; t < 3; ++t) CHECK_THAT(d.dispatch(c, t), WithinAbs(dexp[c][t], 1e-6));
  const double cexp[3][2] = {{sigm(1), sigm(-1)}, {sigm(-1), sigm(1)}, {0.5, 0.5}};
  for (int t = 0; t < 3; ++t)
    for (int c = 0; c < 2; ++c) CHECK_THAT(d.combine(t, c), WithinAbs(cexp[t][c], 1e-6));
  CHECK(d.top_expert == std::vector<int>{0, 1, 0});
  CHECK_THAT(d.expert_load[0], WithinAbs(1.0, 1e-6));
  CHECK_THAT(d.expert_load[1], WithinAbs(1.0, 1e-6));
  CHECK(d.tokens_dropped == 0);
  CHECK(d.aux_loss == 0.0);
  // z = mean of logsumexp(row)^2 over the three tokens
  const double l0 = std::log(e + 1), l2 = 1 + std::log(2.0);
  CHECK_THAT(d.z_loss, WithinAbs((2 * l0 * l0 + l2 * l2) / 3, 1e-6));
  const double h01 = -(sigm(1) * std::log(sigm(1)) + sigm(-1) * std::log(sigm(-1)));
  CHECK_THAT(d.routing_entropy, WithinAbs((2 * h01 + std::log(2.0)) / 3, 1e-6));
}

TEST_CASE("soft_moe dispatch columns and combine rows are distributions", "[routers][soft_moe]") {
  SoftMoERouter::Options o;
  o.slots_per_expert = 3;
  SoftMoERouter r(spec_of(6, 4, 1, 1.0), o);
  const Dispatch d = r.forward(random_x(11, 6, 1), {});
  for (int c = 0; c < 12; ++c) {
    double s = 0;
    for (int t = 0; t < 11; ++t) s += d.dispatch(c, t);
    CHECK_THAT(s, WithinAbs(1.0, 1e-5));
  }
  for (int t = 0; t < 11; ++t) {
    double s = 0;
    for (int c = 0; c < 12; ++c) s += d.combine(t, c);
    CHECK_THAT(s, WithinAbs(1.0, 1e-5));
  }
  for (int e = 0; e < 4; ++e) CHECK_THAT(d.expert_load[e], WithinAbs(3.0, 1e-4));
  CHECK(d.capacity == 3);
}

TEST_CASE("soft_moe derives its slots from capacity and batch size", "[routers][soft_moe]") {
  ConfigSchema schema;
  Registry reg;
  register_extra_routers(reg, schema);
  KeySpec batch;
  batch.key = "train.batch_size";
  batch.type = KeyType::Int;
  batch.default_value = "64";
  schema.declare(batch);
  const Config cfg = Config::resolve(schema, std::nullopt, {});
  // round(1.5 * 64 / 8) = 12
  CHECK(SoftMoERouter::read_options(spec_of(4, 8, 1, 1.5, &cfg)).slots_per_expert == 12);
  const Config explicit_slots = Config::resolve(schema, std::nullopt, {{"router.slots_per_expert", "5"}});
  CHECK(SoftMoERouter::read_options(spec_of(4, 8, 1, 1.5, &explicit_slots)).slots_per_expert == 5);
}

TEST_CASE("sinkhorn balances a hand-checkable plan", "[routers][base]") {
  // a = [[2 ln 3, 0], [0, 0]]: the doubly stochastic plan keeps the cross ratio
  // P00 P11 / (P01 P10) = e^{a00} = 9, so P = [[.75, .25], [.25, .75]].
  const HostMatrix a = matrix(2, 2, {float(2 * std::log(3.0)), 0, 0, 0});
  int used = 0;
  const auto plan = BaseRouter::sinkhorn(a, 200, 1e-10, &used);
  CHECK_THAT(plan[0], WithinAbs(0.75, 1e-6));
  CHECK_THAT(plan[1], WithinAbs(0.25, 1e-6));
  CHECK_THAT(plan[2], WithinAbs(0.25, 1e-6));
  CHECK_THAT(plan[3], WithinAbs(0.75, 1e-6));
  CHECK(used < 200);
  // one iteration of a loose tolerance stops at once
  BaseRouter::sinkhorn(a, 1, 1e-10, &used);
  CHECK(used == 1);
}

TEST_CASE("base routes a skewed batch to balanced loads in training", "[routers][base]") {
  // a_t = [alpha_t, 0]: greedy top-1 sends everything to expert 0. The balanced
  // plan has P_t0 = sigmoid(alpha_t + c) with sum_t P_t0 = 2, c ≈ -1.61: tokens
  // 0, 1 (alpha 3, 2) stay with expert 0, tokens 2, 3 (alpha 1, 0.5) move to 1.
  BaseRouter r(spec_of(2, 2, 1, 1.0));
  set(r.parameters()[0][0], {1, 0, 0, 0});
  const HostMatrix x = matrix(4, 2, {3, 0, 2, 0, 1, 0, 0.5f, 0});
  RouteContext train;
  const Dispatch d = r.forward(x, train);
  REQUIRE(d.assignments.size() == 4);
  CHECK(d.tokens_dropped == 0);
  CHECK(d.expert_load == std::vector<double>{2, 2});
  const int expected[4] = {0, 0, 1, 1};
  const double weight[4] = {sigm(3), sigm(2), 0.5, 0.5};
  for (int t = 0; t < 4; ++t) {
    CHECK(d.assignments[t].token == t);
    CHECK(d.assignments[t].expert == expected[t]);
    CHECK_THAT(d.assignments[t].weight, WithinAbs(weight[t], 1e-6));
  }
  // inference: greedy top-1, capacity ceil(4/2) = 2 drops two tokens
  RouteContext eval;
  eval.training = false;
  const Dispatch g = r.forward(x, eval);
  CHECK(g.expert_load == std::vector<double>{2, 0});
  CHECK(g.tokens_dropped == 2);
  CHECK(g.top_expert == std::vector<int>{0, 0, -1, -1});
}

TEST_CASE("aux_free bias update on a hand-computed example", "[routers][aux_free]") {
  std::vector<double> b{0.0, 0.5, -0.5, 0.0};
  AuxFreeRouter::update_bias(b, {3, 1, 0, 0}, 0.1);  // mean load 1
  CHECK_THAT(b[0], WithinAbs(-0.1, 1e-12));
  CHECK_THAT(b[1], WithinAbs(0.5, 1e-12));
  CHECK_THAT(b[2], WithinAbs(-0.4, 1e-12));
  CHECK_THAT(b[3], WithinAbs(0.1, 1e-12));

  // Through the router: x = one-hot rows, W = I, so s = sigmoid(x); tokens
  // 0..2 pick expert 0 (s = σ(2)), token 3 expert 1. The bias shifts selection
  // but not the gate values.
  AuxFreeRouter::Options o;
  o.bias_update_rate = 0.25;
  AuxFreeRouter r(spec_of(4, 4, 1, 4.0), o);
  set(r.gate().weight(), {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  const HostMatrix x = matrix(4, 4, {2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0});
  RouteContext train;
  Dispatch d = r.forward(x, train);
  CHECK(r.last_selection_load() == std::vector<double>{3, 1, 0, 0});
  CHECK(r.bias() == std::vector<double>{-0.25, 0.0, 0.25, 0.25});
  CHECK_THAT(d.assignments[0].weight, WithinAbs(1.0, 1e-6));  // k = 1: s / s
  CHECK(d.aux_loss == 0.0);
  // inference leaves the bias alone
  RouteContext eval;
  eval.training = false;
  r.forward(x, eval);
  CHECK(r.bias() == std::vector<double>{-0.25, 0.0, 0.25, 0.25});
  // with k = 2 the gates are the chosen sigmoids normalised over the two
  AuxFreeRouter r2(spec_of(4, 4, 2, 4.0), o);
  set(r2.gate().weight(), {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  r2.set_bias({0, 0, 0, 1.0});  // expert 3 wins selection on the bias alone
  d = r2.forward(matrix(1, 4, {2, 0, 0, 0}), eval);
  REQUIRE(d.assignments.size() == 2);
  CHECK(d.assignments[0].expert == 3);  // rank 0: biased score 0.5 + 1 beats σ(2)
  CHECK(d.assignments[1].expert == 0);
  CHECK_THAT(d.assignments[0].weight, WithinAbs(0.5 / (sigm(2) + 0.5), 1e-6));
  CHECK_THAT(d.assignments[1].weight, WithinAbs(sigm(2) / (sigm(2) + 0.5), 1e-6));
}

TEST_CASE("aux_free loads even out over repeated training steps", "[routers][aux_free]") {
  AuxFreeRouter::Options o;
  o.bias_update_rate = 0.001;
  const int T = 64, d = 4, E = 4;
  AuxFreeRouter r(spec_of(d, E, 1, 4.0), o);
  HostMatrix x = random_x(T, d, 9);
  for (int t = 0; t < T; ++t) x(t, 3) = 1.0f;  // a constant feature ...
  auto& w = r.gate().weight().value;
  for (int j = 0; j < d; ++j)
    for (int e = 0; e < E; ++e) w(j, e) = static_cast<float>(0.3 * Philox::normal({5, 5}, j * E + e));
  w(3, 0) = 3.0f;  // ... that pulls every token towards expert 0
  RouteContext train;
  auto spread = [&](const std::vector<double>& l) {
    return *std::max_element(l.begin(), l.end()) - *std::min_element(l.begin(), l.end());
  };
  r.forward(x, train);
  const double first = spread(r.last_selection_load());
  CHECK(first >= 40);
  for (int step = 0; step < 1000; ++step) r.forward(x, train);  // default rate 0.001
  const double last = spread(r.last_selection_load());
  INFO("spread first " << first << " last " << last);
  CHECK(last <= 4);  // from 64 (all on expert 0) to within ±2 tokens of 16
}

TEST_CASE("null experts reduce the real-expert count as the scores dictate", "[routers][null_experts]") {
  // E = 2 real + 2 null, k = 2. Real columns respond to feature 0, null ones to
  // feature 1: token 0 -> both real, token 1 -> both null, token 2 -> a tie
  // [5, 4, 5, 4] broken to the lowest index: real 0 and null 0.
  NullExpertsRouter::Options o;
  o.null_experts = 2;
  NullExpertsRouter r(spec_of(2, 2, 2, 4.0), o);
  set(r.gate().weight(), {5, 4, 0, 0, 0, 0, 5, 4});
  const HostMatrix x = matrix(3, 2, {1, 0, 0, 1, 1, 1});
  const Dispatch d = r.forward(x, {});
  CHECK_THAT(r.mean_real_experts(), WithinAbs(1.0, 1e-12));
  REQUIRE(d.assignments.size() == 3);
  CHECK(d.tokens_dropped == 0);
  CHECK(d.assignments[0].expert == 0);
  CHECK_THAT(d.assignments[0].weight, WithinAbs(sigm(1), 1e-6));
  CHECK(d.assignments[1].expert == 1);
  CHECK_THAT(d.assignments[1].weight, WithinAbs(sigm(-1), 1e-6));
  CHECK(d.assignments[2].token == 2);
  CHECK(d.assignments[2].expert == 0);
  CHECK_THAT(d.assignments[2].weight, WithinAbs(0.5, 1e-6));
  CHECK(d.top_expert == std::vector<int>{0, -1, 0});
  CHECK(d.expert_load == std::vector<double>{2, 1});
  // Stronger null experts take over the mixed token too: one real expert less.
  set(r.gate().weight(), {5, 4, 0, 0, 0, 0, 9, 8});
  r.forward(x, {});
  CHECK_THAT(r.mean_real_experts(), WithinAbs(2.0 / 3.0, 1e-12));
  // aux over all E + N: f = [1/6, 1/6, 1/3, 1/3] here, P from the softmax
  const Dispatch d2 = r.forward(x, {});
  double P[4] = {0, 0, 0, 0};
  const double rows[3][4] = {{5, 4, 0, 0}, {0, 0, 9, 8}, {5, 4, 9, 8}};
  for (const auto& row : rows) {
    double z = 0;
    for (double v : row) z += std::exp(v);
    for (int e = 0; e < 4; ++e) P[e] += std::exp(row[e]) / z / 3;
  }
  const double f[4] = {1.0 / 6, 1.0 / 6, 1.0 / 3, 1.0 / 3};
  double aux = 0;
  for (int e = 0; e < 4; ++e) aux += 4 * f[e] * P[e];
  CHECK_THAT(d2.aux_loss, WithinAbs(aux, 1e-6));
}

TEST_CASE("hierarchical weights are the product of the two levels", "[routers][hierarchical]") {
  HierarchicalRouter::Options o;
  o.groups = 2;
  const int d = 3, E = 6, T = 8;
  HierarchicalRouter r(spec_of(d, E, 2, 4.0), o);
  auto& wg = *r.parameters()[0];
  auto& we = *r.parameters()[1];
  for (int j = 0; j < d; ++j) {
    for (int g = 0; g < 2; ++g) wg.value(j, g) = float(Philox::normal({3, 1}, j * 2 + g));
    for (int e = 0; e < E; ++e) we.value(j, e) = float(Philox::normal({3, 2}, j * E + e));
  }
  const HostMatrix x = random_x(T, d, 4);
  const Dispatch disp = r.forward(x, {});
  REQUIRE(disp.assignments.size() == std::size_t(2 * T));
  for (const auto& a : disp.assignments) {
    // recompute both levels from the parameters
    double lg[2] = {0, 0}, le[6] = {0, 0, 0, 0, 0, 0};
    for (int j = 0; j < d; ++j) {
      for (int g = 0; g < 2; ++g) lg[g] += double(x(a.token, j)) * wg.value(j, g);
      for (int e = 0; e < E; ++e) le[e] += double(x(a.token, j)) * we.value(j, e);
    }
    const int g = lg[1] > lg[0] ? 1 : 0;
    const double pg = std::exp(lg[g]) / (std::exp(lg[0]) + std::exp(lg[1]));
    double z = 0;
    for (int j = 0; j < 3; ++j) z += std::exp(le[g * 3 + j]);
    CHECK(a.expert / 3 == g);
    CHECK_THAT(a.weight, WithinAbs(pg * std::exp(le[a.expert]) / z, 1e-5));
    CHECK(r.chosen_group()[a.token] == g);
  }
  // the two choices of a token are its two best experts of the group
  for (int t = 0; t < T; ++t) {
    const auto& a0 = disp.assignments[2 * t];
    const auto& a1 = disp.assignments[2 * t + 1];
    CHECK(a0.weight >= a1.weight);
    const int third = 3 * (a0.expert / 3) + 3 - (a0.expert % 3) - (a1.expert % 3);
    CHECK(r.expert_probs()(t, third) <= r.expert_probs()(t, a1.expert));
  }
  CHECK(disp.aux_loss > 0.0);
  CHECK(disp.routing_entropy > 0.0);
  CHECK(disp.routing_entropy < std::log(6.0));
}

TEST_CASE("topany activates every expert above its threshold", "[routers][topany]") {
  TopAnyRouter::Options o;
  TopAnyRouter r(spec_of(2, 3, 1, 4.0), o);
  // expert embeddings along e0, e1 and -e0; cos(x, w) is exact for unit x
  set(r.embeddings(), {1, 0, -1, 0, 1, 0});
  set(r.thresholds(), {0, 0, 10});  // expert 2 never passes σ(10)
  const float c = float(std::sqrt(0.5));
  const HostMatrix x = matrix(3, 2, {c, c, -1, 0, 0, -1});
  const Dispatch d = r.forward(x, {});
  // token 0: s = [σ(c), σ(c), σ(-c)] -> experts 0 and 1, equal weights
  // token 1: s = [σ(-1), σ(0), σ(1)]: none passes (σ(0) = σ(G) is not >) -> best = 2
  // token 2: s = [σ(0), σ(-1), σ(0)] -> none -> fallback to expert 0 (tie -> lowest)
  REQUIRE(d.assignments.size() == 4);
  CHECK(d.assignments[0].expert == 0);
  CHECK(d.assignments[1].expert == 1);
  CHECK_THAT(d.assignments[0].weight, WithinAbs(0.5, 1e-6));
  CHECK(d.assignments[2].expert == 2);
  CHECK(d.assignments[3].expert == 0);
  CHECK(d.choices == 2);
  CHECK_THAT(r.mean_active_experts(), WithinAbs(4.0 / 3.0, 1e-12));

  // Straight-through threshold gradient: only the activated, non-fallback
  // pairs (token 0: experts 0, 1) contribute; with d_weight = [1, 0] on them
  // and no aux: dG_e = −σ'(0) w_e (d_e − d̄) = −0.25 · 0.5 · (±0.5).
  for (Parameter* p : r.parameters()) p->zero_grad();
  DispatchGrad g;
  g.d_weight = {1.0f, 0.0f, 0.0f, 0.0f};
  HostMatrix dx("dx", 3, 2);
  r.backward(x, d, g, 0.0, 0.0, dx);
  CHECK_THAT(r.thresholds().grad(0, 0), WithinAbs(-0.0625, 1e-7));
  CHECK_THAT(r.thresholds().grad(0, 1), WithinAbs(0.0625, 1e-7));
  CHECK(r.thresholds().grad(0, 2) == 0.0f);
  // the efficiency loss pushes active thresholds up (positive descent direction)
  TopAnyRouter::Options eff;
  eff.diversity_weight = 0.0;
  eff.efficiency_weight = 1.0;
  TopAnyRouter r2(spec_of(2, 3, 1, 4.0), eff);
  set(r2.embeddings(), {1, 0, -1, 0, 1, 0});
  set(r2.thresholds(), {0, 0, 10});
  const Dispatch d2 = r2.forward(x, {});
  // aux = load balance + mean activation (2 threshold activations of 9 pairs)
  CHECK(d2.aux_loss > 2.0 / 9.0);
  for (Parameter* p : r2.parameters()) p->zero_grad();
  DispatchGrad none;
  none.d_weight.assign(4, 0.0f);
  r2.backward(x, d2, none, 1.0, 0.0, dx);
  CHECK(r2.thresholds().grad(0, 0) + r2.thresholds().grad(0, 1) < 0.0f);
}

TEST_CASE("bad router keys are usage errors naming the key", "[routers]") {
  ConfigSchema schema;
  Registry reg;
  register_extra_routers(reg, schema);
  for (const char* name : {"soft_moe", "base", "aux_free", "null_experts", "topany", "hierarchical"})
    CHECK(reg.has_router(name));

  auto message_of = [](auto&& f) {
    try {
      f();
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no UsageError");
  };
  // schema bounds
  CHECK_THAT(message_of([&] { Config::resolve(schema, std::nullopt, {{"router.sinkhorn_iters", "0"}}); }),
             ContainsSubstring("router.sinkhorn_iters"));
  CHECK_THAT(message_of([&] { Config::resolve(schema, std::nullopt, {{"router.bias_update_rate", "-0.1"}}); }),
             ContainsSubstring("router.bias_update_rate"));
  // cross-key rule: groups must divide E
  const Config three = Config::resolve(schema, std::nullopt, {{"router.groups", "3"}});
  CHECK_THAT(message_of([&] { reg.make_router("hierarchical", spec_of(4, 8, 1, 1.0, &three)); }),
             ContainsSubstring("router.groups"));
  CHECK_NOTHROW(reg.make_router("hierarchical", spec_of(4, 9, 1, 1.0, &three)));
  CHECK_THAT(message_of([&] { reg.make_router("hierarchical", spec_of(4, 9, 4, 1.0, &three)); }),
             ContainsSubstring("model.top_k"));
  // routers built directly check their options too
  BaseRouter::Options zero_iters;
  zero_iters.sinkhorn_iters = 0;
  CHECK_THAT(message_of([&] { BaseRouter(spec_of(4, 4, 1, 1.0), zero_iters); }),
             ContainsSubstring("router.sinkhorn_iters"));
  BaseRouter::Options bad_tol;
  bad_tol.sinkhorn_tol = -1;
  CHECK_THAT(message_of([&] { BaseRouter(spec_of(4, 4, 1, 1.0), bad_tol); }),
             ContainsSubstring("router.sinkhorn_tol"));
  AuxFreeRouter::Options neg_rate;
  neg_rate.bias_update_rate = -0.001;
  CHECK_THAT(message_of([&] { AuxFreeRouter(spec_of(4, 4, 1, 1.0), neg_rate); }),
             ContainsSubstring("router.bias_update_rate"));
  NullExpertsRouter::Options neg_null;
  neg_null.null_experts = -3;
  CHECK_THAT(message_of([&] { NullExpertsRouter(spec_of(4, 4, 1, 1.0), neg_null); }),
             ContainsSubstring("router.null_experts"));
  TopAnyRouter::Options neg_eff;
  neg_eff.efficiency_weight = -1;
  CHECK_THAT(message_of([&] { TopAnyRouter(spec_of(4, 4, 1, 1.0), neg_eff); }),
             ContainsSubstring("router.topany_efficiency_weight"));
  SoftMoERouter::Options zero_slots;
  zero_slots.slots_per_expert = 0;
  CHECK_THAT(message_of([&] { SoftMoERouter(spec_of(4, 4, 1, 1.0), zero_slots); }),
             ContainsSubstring("router.slots_per_expert"));
  CHECK_THAT(message_of([&] { AuxFreeRouter(spec_of(4, 4, 1, 0.0)); }),
             ContainsSubstring("model.capacity_factor"));
  // null experts default to E
  const Config none = Config::resolve(schema, std::nullopt, {});
  NullExpertsRouter ne(spec_of(4, 5, 1, 1.0, &none));
  CHECK(ne.null_experts() == 5);
}

namespace {
// Bitwise fingerprint of a forward + backward.
std::uint64_t fingerprint(Router& r, const HostMatrix& x, std::uint64_t h = 1469598103934665603ull) {
  auto mix = [&](const void* p, std::size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  RouteContext ctx;
  for (Parameter* p : r.parameters()) p->zero_grad();
  const Dispatch d = r.forward(x, ctx);
  DispatchGrad g;
  if (d.soft) {
    g.d_dispatch = make_matrix("dd", d.dispatch.extent(0), d.dispatch.extent(1));
    g.d_combine = make_matrix("dc", d.combine.extent(0), d.combine.extent(1));
    Kokkos::deep_copy(g.d_dispatch, 0.5f);
    Kokkos::deep_copy(g.d_combine, -0.25f);
    mix(d.dispatch.data(), d.dispatch.size() * sizeof(float));
    mix(d.combine.data(), d.combine.size() * sizeof(float));
  } else {
    for (const auto& a : d.assignments) {
      mix(&a, sizeof(a));
      g.d_weight.push_back(std::sin(float(a.token + a.expert)));
    }
  }
  mix(&d.aux_loss, sizeof(double));
  mix(&d.z_loss, sizeof(double));
  mix(&d.routing_entropy, sizeof(double));
  HostMatrix dx("dx", x.extent(0), x.extent(1));
  r.backward(x, d, g, 0.3, 0.1, dx);
  mix(dx.data(), dx.size() * sizeof(float));
  for (Parameter* p : r.parameters()) mix(p->grad.data(), p->grad.size() * sizeof(float));
  return h;
}

std::uint64_t all_fingerprints(int T, int d) {
  ConfigSchema schema;
  Registry reg;
  register_extra_routers(reg, schema);
  const Config cfg = Config::resolve(schema, std::nullopt, {{"router.slots_per_expert", "4"}});
  const HostMatrix x = random_x(T, d, 77);
  std::uint64_t h = 0;
  for (const char* name : {"soft_moe", "base", "aux_free", "null_experts", "topany", "hierarchical"}) {
    auto r = reg.make_router(name, spec_of(d, 8, 2, 1.25, &cfg));
    h = fingerprint(*r, x, h ^ 0x9E3779B97F4A7C15ull);
  }
  return h;
}
}  // namespace

TEST_CASE("extra routers are deterministic", "[routers]") {
  // Two independent builds from the same seed agree bit for bit.
  CHECK(all_fingerprints(300, 24) == all_fingerprints(300, 24));
}

// Run with MOESIM_TEST_THREADS=1 and =N and compare the printed value: the
// routers must not depend on the thread count (DESIGN.md §5).
TEST_CASE("extra routers fingerprint for thread-count comparison", "[.][routers_threads]") {
  std::cout << "extra_router_fingerprint " << all_fingerprints(1000, 64) << "\n";
}
