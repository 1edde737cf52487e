// Slot assignment against check_values.md C, capacity and drop accounting of
// every baseline router, the published selection rules (Switch, Mixtral,
// GShard random routing, Expert Choice, dense, hash), expert dropout,
// determinism, registration and rejection of bad parameters.
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "models/baselines/expert_dropout.hpp"
#include "models/baselines/gshard_router.hpp"
#include "models/baselines/hash_router.hpp"
#include "models/baselines/register_baselines.hpp"
#include "models/baselines/topk_assignment.hpp"
#include "models/baselines/topk_router.hpp"
#include "train/experiment.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>
#include <vector>

using namespace moesim;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;

namespace {

using Tuple = std::tuple<int, int, int, float>;

const std::vector<std::string> kRouters = {"topk",  "noisy_topk",    "switch", "gshard",
                                           "batch_prioritized", "expert_choice", "dense",  "hash"};

HostMatrix matrix(int rows, int cols, const std::vector<double>& v) {
  HostMatrix m("m", rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = static_cast<float>(v[i * cols + j]);
  return m;
}

std::vector<Tuple> tuples(const Dispatch& d) {
  std::vector<Tuple> out;
  for (const auto& a : d.assignments) out.emplace_back(a.token, a.expert, a.slot, a.weight);
  return out;
}

RouterSpec spec_of(int d, int E, int k, double cf, const Config* config = nullptr) {
  RouterSpec s;
  s.d_model = d;
  s.num_experts = E;
  s.top_k = k;
  s.capacity_factor = cf;
  s.seed = 11;
  s.config = config;
  return s;
}

HostMatrix random_x(int T, int d, std::uint64_t salt) {
  HostMatrix x("x", T, d);
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < d; ++j) x(t, j) = static_cast<float>(Philox::normal({23, salt}, t * d + j));
  return x;
}

// Router weights large enough that routing depends on x.
void scale_parameters(Router& r, double std) {
  std::uint64_t salt = 0;
  for (Parameter* p : r.parameters()) {
    ++salt;
    for (std::size_t i = 0; i < p->value.extent(0); ++i)
      for (std::size_t j = 0; j < p->value.extent(1); ++j)
        p->value(i, j) = static_cast<float>(std * Philox::normal({31, salt}, i * p->value.extent(1) + j));
  }
}

struct Built {
  Registry registry;
  ConfigSchema schema;
  Built() { register_baseline_routers(registry, schema); }

  // A validated Config over the core keys plus ours. The default variant list
  // names routers registered elsewhere, so the variants are set to ours.
  Config config(std::vector<std::pair<std::string, std::string>> overrides) {
    if (!schema.find("model.router")) {
      declare_core_keys(schema);
      for (const auto& [name, _] : registry.list("routers")) schema.add_choice("model.router", name);
    }
    overrides.insert(overrides.begin(), {"experiment.variants", "switch"});
    return Config::resolve(schema, std::nullopt, overrides);
  }
};

// Structural invariants every sparse dispatch satisfies.
void check_structure(const Dispatch& d) {
  std::vector<std::set<int>> slots(d.num_experts);
  std::set<std::pair<int, int>> pairs;
  for (const auto& a : d.assignments) {
    REQUIRE(a.token >= 0);
    REQUIRE(a.token < d.num_tokens);
    REQUIRE(a.expert >= 0);
    REQUIRE(a.expert < d.num_experts);
    REQUIRE(a.slot >= 0);
    REQUIRE(a.slot < d.capacity);
    CHECK(slots[a.expert].insert(a.slot).second);         // a slot holds one token
    CHECK(pairs.insert({a.token, a.expert}).second);      // a token meets an expert once
  }
  double total = 0;
  for (int e = 0; e < d.num_experts; ++e) {
    CHECK(d.expert_load[e] == static_cast<double>(slots[e].size()));
    CHECK(d.expert_load[e] <= d.capacity);
    if (!slots[e].empty()) CHECK(*slots[e].rbegin() == static_cast<int>(slots[e].size()) - 1);
    total += d.expert_load[e];
  }
  CHECK(total == static_cast<double>(d.assignments.size()));
  REQUIRE(d.top_expert.size() == static_cast<std::size_t>(d.num_tokens));
  for (int t = 0; t < d.num_tokens; ++t) {
    float best = -1;
    int expert = -1;
    for (const auto& a : d.assignments)
      if (a.token == t && (a.weight > best || (a.weight == best && a.expert < expert))) {
        best = a.weight;
        expert = a.expert;
      }
    CHECK(d.top_expert[t] == expert);
  }
}

}  // namespace

TEST_CASE("check value C: vanilla, batch-prioritized and expert-choice slots", "[routers][dispatch]") {
  const auto gates = matrix(3, 3, {.4, 0, .2, .5, .1, .4, .3, .2, .6});
  const auto choices = select_top_k(gates, 2);

  Dispatch vanilla;
  assign_slots(choices, 3, 2, SlotOrder::TokenOrder, vanilla);
  CHECK(tuples(vanilla) == std::vector<Tuple>{{0, 0, 0, .4f}, {0, 2, 1, .2f}, {1, 0, 1, .5f}, {2, 2, 0, .6f}});
  CHECK(vanilla.tokens_dropped == 2);
  CHECK(vanilla.expert_load == std::vector<double>{2, 0, 2});
  check_structure(vanilla);

  Dispatch bpr;
  assign_slots(choices, 3, 2, SlotOrder::BatchPrioritized, bpr);
  CHECK(tuples(bpr) == std::vector<Tuple>{{0, 0, 1, .4f}, {1, 0, 0, .5f}, {1, 2, 1, .4f}, {2, 2, 0, .6f}});
  CHECK(bpr.tokens_dropped == 2);
  check_structure(bpr);

  Dispatch ec;
  expert_choice_assign(gates, 2, {}, ec);
  CHECK(tuples(ec) == std::vector<Tuple>{{1, 0, 0, .5f}, {0, 0, 1, .4f}, {2, 1, 0, .2f}, {1, 1, 1, .1f},
                                         {2, 2, 0, .6f}, {1, 2, 1, .4f}});
  check_structure(ec);
}

TEST_CASE("ties go to the lowest index", "[routers][dispatch]") {
  const auto scores = matrix(3, 3, {.3, .3, .3, .5, .5, 0, .5, .5, 0});
  const auto c = select_top_k(scores, 2);
  CHECK(c.expert == std::vector<int>{0, 1, 0, 1, 0, 1});
  // equal priorities keep token order in BPR
  Dispatch bpr;
  assign_slots(c, 3, 1, SlotOrder::BatchPrioritized, bpr);
  // priorities .3, .5, .5: token 1 goes before token 2, which finds both experts full
  CHECK(tuples(bpr) == std::vector<Tuple>{{1, 0, 0, .5f}, {1, 1, 0, .5f}});
  CHECK(bpr.tokens_dropped == 4);
  Dispatch ec;
  expert_choice_assign(scores, 1, {}, ec);
  CHECK(tuples(ec) == std::vector<Tuple>{{1, 0, 0, .5f}, {1, 1, 0, .5f}, {0, 2, 0, .3f}});
  // -inf is never chosen: a masked expert leaves the choice empty
  const auto masked = matrix(1, 3, {-INFINITY, 1.0, -INFINITY});
  const auto m = select_top_k(masked, 2);
  CHECK(m.expert == std::vector<int>{1, -1});
}

TEST_CASE("capacity and drop accounting of every router", "[routers][dispatch]") {
  Built b;
  const int T = 40, d = 8, E = 4, k = 2;
  const auto x = random_x(T, d, 1);
  for (double cf : {0.5, 1.0, 4.0}) {
    for (const auto& name : kRouters) {
      CAPTURE(name, cf);
      auto r = b.registry.make_router(name, spec_of(d, E, k, cf));
      scale_parameters(*r, 1.0);
      RouteContext ctx;
      ctx.step = 3;
      const auto dsp = r->forward(x, ctx);
      check_structure(dsp);
      const int requested = name == "switch" || name == "hash" ? 1 : (name == "gshard" ? 2 : k);
      const std::int64_t kept = dsp.assignments.size();
      if (name == "dense") {
        CHECK(dsp.capacity == T);
        CHECK(kept == T * E);
        CHECK(dsp.tokens_dropped == 0);
      } else if (name == "expert_choice") {
        const int c = std::min(T, expert_capacity(cf, T, k, E));
        CHECK(dsp.capacity == c);
        CHECK(kept == static_cast<std::int64_t>(c) * E);  // every expert is full
        std::set<int> routed;
        for (const auto& a : dsp.assignments) routed.insert(a.token);
        CHECK(dsp.tokens_dropped == T - static_cast<std::int64_t>(routed.size()));
      } else if (name == "gshard") {
        CHECK(dsp.capacity == expert_capacity(cf, T, 2, E));
        CHECK(kept + dsp.tokens_dropped >= T);  // every first choice is requested
        CHECK(kept + dsp.tokens_dropped <= 2 * T);
      } else {
        CHECK(dsp.capacity == expert_capacity(cf, T, requested, E));
        CHECK(kept + dsp.tokens_dropped == static_cast<std::int64_t>(T) * requested);
      }
      if (cf >= 4.0 && name != "expert_choice") CHECK(dsp.tokens_dropped == 0);
      if (cf == 0.5 && name != "dense" && name != "expert_choice") CHECK(dsp.tokens_dropped > 0);
      CHECK(std::isfinite(dsp.aux_loss));
      CHECK(std::isfinite(dsp.z_loss));
      CHECK(dsp.routing_entropy >= 0.0);
      CHECK(dsp.routing_entropy <= std::log(double(E)) + 1e-9);
    }
  }
}

TEST_CASE("published selection rules", "[routers][dispatch]") {
  Built b;
  const int T = 30, d = 6, E = 5;
  const auto x = random_x(T, d, 2);
  RouteContext ctx;

  SECTION("switch: top-1, weight = the top probability, E·Σf·P aux loss") {
    auto r = b.registry.make_router("switch", spec_of(d, E, 3, 8.0));  // top_k ignored
    auto* lg = dynamic_cast<LearnedGateRouter*>(r.get());
    REQUIRE(lg);
    scale_parameters(*r, 1.0);
    const auto dsp = r->forward(x, ctx);
    REQUIRE(dsp.assignments.size() == static_cast<std::size_t>(T));
    const auto& p = lg->last_probs();
    std::vector<int> top(T);
    for (const auto& a : dsp.assignments) {
      float best = 0;
      for (int e = 0; e < E; ++e) best = std::max(best, p(a.token, e));
      CHECK(a.weight == best);
      CHECK(p(a.token, a.expert) == best);
      top[a.token] = a.expert;
    }
    double aux = 0;
    for (int e = 0; e < E; ++e) {
      double f = 0, pe = 0;
      for (int t = 0; t < T; ++t) {
        f += top[t] == e;
        pe += p(t, e);
      }
      aux += (f / T) * (pe / T);
    }
    CHECK_THAT(dsp.aux_loss, WithinAbs(E * aux, 1e-9));
    double z = 0;
    for (int t = 0; t < T; ++t) {
      double s = 0;
      for (int e = 0; e < E; ++e) s += std::exp(double(lg->last_logits()(t, e)));
      z += std::log(s) * std::log(s);
    }
    CHECK_THAT(dsp.z_loss, WithinAbs(z / T, 1e-9));
  }

  SECTION("topk: weights renormalised over the k chosen (Mixtral)") {
    auto r = b.registry.make_router("topk", spec_of(d, E, 3, 8.0));
    scale_parameters(*r, 1.0);
    const auto dsp = r->forward(x, ctx);
    REQUIRE(dsp.assignments.size() == static_cast<std::size_t>(3 * T));
    std::vector<double> sum(T, 0);
    for (const auto& a : dsp.assignments) sum[a.token] += a.weight;
    for (int t = 0; t < T; ++t) CHECK_THAT(sum[t], WithinAbs(1.0, 1e-6));
  }

  SECTION("dense: every expert, softmax weights summing to one") {
    auto r = b.registry.make_router("dense", spec_of(d, E, 1, 1.0));
    scale_parameters(*r, 1.0);
    const auto dsp = r->forward(x, ctx);
    std::vector<double> sum(T, 0);
    for (const auto& a : dsp.assignments) {
      sum[a.token] += a.weight;
      CHECK(a.slot == a.token);
    }
    for (int t = 0; t < T; ++t) CHECK_THAT(sum[t], WithinAbs(1.0, 1e-6));
    CHECK(dsp.aux_loss == 0.0);
    CHECK(dsp.expert_load == std::vector<double>(E, T));
  }

  SECTION("expert_choice: each expert's C best tokens by score, highest first") {
    auto r = b.registry.make_router("expert_choice", spec_of(d, E, 2, 1.0));
    auto* lg = dynamic_cast<LearnedGateRouter*>(r.get());
    scale_parameters(*r, 1.0);
    const auto dsp = r->forward(x, ctx);
    const int c = expert_capacity(1.0, T, 2, E);
    const auto& p = lg->last_probs();
    for (int e = 0; e < E; ++e) {
      std::vector<float> col;
      for (int t = 0; t < T; ++t) col.push_back(p(t, e));
      std::sort(col.rbegin(), col.rend());
      for (const auto& a : dsp.assignments)
        if (a.expert == e) {
          CHECK(a.weight == p(a.token, e));
          CHECK(a.weight == col[a.slot]);
        }
      CHECK(dsp.expert_load[e] == c);
    }
    CHECK(dsp.aux_loss == 0.0);
  }

  SECTION("hash: a fixed function of the token id, weight 1, no parameters") {
    auto r = b.registry.make_router("hash", spec_of(d, E, 1, 100.0));
    auto* h = dynamic_cast<HashRouter*>(r.get());
    REQUIRE(h);
    CHECK(r->parameters().empty());
    std::vector<std::uint64_t> ids(T);
    for (int t = 0; t < T; ++t) ids[t] = 1000 + (t % 7);  // repeated ids
    ctx.token_ids = ids.data();
    const auto dsp = r->forward(x, ctx);
    REQUIRE(dsp.assignments.size() == static_cast<std::size_t>(T));
    for (const auto& a : dsp.assignments) {
      CHECK(a.weight == 1.0f);
      CHECK(a.expert == h->expert_of(ids[a.token]));
    }
    // independent of x
    const auto other = r->forward(random_x(T, d, 99), ctx);
    CHECK(tuples(other) == tuples(dsp));
    // spread over experts: 5000 ids, each expert within 5σ of 1000
    std::vector<int> count(E, 0);
    for (std::uint64_t id = 0; id < 5000; ++id) ++count[h->expert_of(id)];
    for (int e = 0; e < E; ++e) CHECK(std::abs(count[e] - 1000) < 5 * std::sqrt(800.0));
    // no gradient to x
    HostMatrix dx("dx", T, d);
    DispatchGrad g;
    g.d_weight.assign(dsp.assignments.size(), 1.0f);
    r->backward(x, dsp, g, 1.0, 1.0, dx);
    for (int t = 0; t < T; ++t)
      for (int j = 0; j < d; ++j) CHECK(dx(t, j) == 0.0f);
  }
}

TEST_CASE("gshard: second expert dispatched with probability min(1, g2/threshold)",
          "[routers][dispatch]") {
  const int T = 4000, d = 4, E = 4;
  const auto x = random_x(T, d, 3);
  GShardRouter r(spec_of(d, E, 2, 100.0));  // capacity never binds
  scale_parameters(r, 0.7);
  RouteContext ctx;
  ctx.step = 5;
  const auto dsp = r.forward(x, ctx);
  CHECK(dsp.tokens_dropped == 0);
  const auto& p = r.last_probs();
  std::vector<int> count(T, 0);
  double expected = 0, variance = 0;
  for (const auto& a : dsp.assignments) ++count[a.token];
  for (int t = 0; t < T; ++t) {
    int c[2];
    REQUIRE(row_top_k(&p(t, 0), E, 2, c) == 2);
    const double p1 = p(t, c[0]), p2 = p(t, c[1]);
    const double g2 = p2 / (p1 + p2);
    const double q = std::min(1.0, 2.0 * g2);
    expected += q;
    variance += q * (1 - q);
    // the first choice always, with g1 = p1 / (p1 + p2) even without the second
    for (const auto& a : dsp.assignments)
      if (a.token == t && a.expert == c[0]) CHECK_THAT(a.weight, WithinAbs(p1 / (p1 + p2), 1e-6));
  }
  double seconds = 0;
  for (int t = 0; t < T; ++t) {
    REQUIRE(count[t] >= 1);
    seconds += count[t] - 1;
  }
  CHECK(std::abs(seconds - expected) < 5 * std::sqrt(variance));
  CHECK(seconds < T);  // some second experts were skipped
  // the aux loss uses the first choice only
  std::vector<int> first(T);
  for (int t = 0; t < T; ++t) row_top_k(&p(t, 0), E, 1, &first[t]);
  double aux = 0;
  for (int e = 0; e < E; ++e) {
    double f = 0, pe = 0;
    for (int t = 0; t < T; ++t) {
      f += first[t] == e;
      pe += p(t, e);
    }
    aux += f / T * pe / T;
  }
  CHECK_THAT(dsp.aux_loss, WithinAbs(E * aux, 1e-9));
}

TEST_CASE("gshard with router.second_policy = all always dispatches two", "[routers][dispatch]") {
  Built b;
  const auto config = b.config({{"router.second_policy", "all"}});
  const int T = 50, d = 4, E = 4;
  auto r = b.registry.make_router("gshard", spec_of(d, E, 2, 100.0, &config));
  scale_parameters(*r, 1.0);
  const auto dsp = r->forward(random_x(T, d, 4), RouteContext{});
  CHECK(dsp.assignments.size() == static_cast<std::size_t>(2 * T));
}

TEST_CASE("expert dropout masks whole experts per training step", "[routers][dispatch]") {
  Built b;
  const auto config = b.config({{"model.expert_dropout", "0.5"}});
  const int T = 40, d = 6, E = 8;
  const auto x = random_x(T, d, 5);
  ExpertDropout dropout(spec_of(d, E, 2, 1.0, &config));
  CHECK(dropout.probability() == 0.5);
  int total_dropped = 0;
  std::set<std::vector<char>> patterns;
  for (std::uint64_t step = 0; step < 40; ++step) {
    RouteContext ctx;
    ctx.step = step;
    const auto mask = dropout.mask(E, ctx);
    CHECK(std::count(mask.begin(), mask.end(), 1) < E);  // something always routes
    total_dropped += std::count(mask.begin(), mask.end(), 1);
    patterns.insert(mask);
    CHECK(mask == dropout.mask(E, ctx));  // a function of the step
    ctx.training = false;
    const auto eval = dropout.mask(E, ctx);
    CHECK(std::count(eval.begin(), eval.end(), 1) == 0);
  }
  CHECK(patterns.size() > 10);
  CHECK(std::abs(total_dropped - 160) < 5 * std::sqrt(80.0));

  for (const auto& name : {"topk", "noisy_topk", "switch", "gshard", "batch_prioritized",
                           "expert_choice", "dense"}) {
    CAPTURE(name);
    auto r = b.registry.make_router(name, spec_of(d, E, 2, 2.0, &config));
    scale_parameters(*r, 1.0);
    RouteContext ctx;
    ctx.step = 7;
    const auto mask = dropout.mask(E, ctx);
    REQUIRE(std::count(mask.begin(), mask.end(), 1) > 0);
    const auto dsp = r->forward(x, ctx);
    check_structure(dsp);
    for (const auto& a : dsp.assignments) CHECK(mask[a.expert] == 0);
    CHECK(!dsp.assignments.empty());
  }
}

TEST_CASE("same seed, same dispatch; different seed, different noise", "[routers][dispatch]") {
  Built b;
  const int T = 64, d = 8, E = 6;
  const auto x = random_x(T, d, 6);
  for (const auto& name : kRouters) {
    CAPTURE(name);
    auto a = b.registry.make_router(name, spec_of(d, E, 2, 1.0));
    auto c = b.registry.make_router(name, spec_of(d, E, 2, 1.0));
    RouteContext ctx;
    ctx.step = 12;
    const auto da = a->forward(x, ctx), dc = c->forward(x, ctx);
    CHECK(tuples(da) == tuples(dc));  // bit-identical weights
    CHECK(da.aux_loss == dc.aux_loss);
    CHECK(da.z_loss == dc.z_loss);
  }
  // noisy_topk / gshard draw their randomness from (seed, step)
  for (const auto& name : {"noisy_topk", "gshard"}) {
    CAPTURE(name);
    auto a = b.registry.make_router(name, spec_of(d, E, 2, 1.0));
    scale_parameters(*a, 0.3);
    RouteContext s1, s2;
    s1.step = 1;
    s2.step = 2;
    CHECK(tuples(a->forward(x, s1)) != tuples(a->forward(x, s2)));
    CHECK(tuples(a->forward(x, s1)) == tuples(a->forward(x, s1)));
  }
}

TEST_CASE("routing is independent of the thread count", "[routers][dispatch]") {
  // A fingerprint of the discrete routing decisions (token, expert, slot) of
  // the random routers, recorded once; the suite runs with
  // MOESIM_TEST_THREADS=1 and 2 and both must reproduce it.
  Built b;
  const int T = 96, d = 8, E = 6;
  const auto x = random_x(T, d, 7);
  auto fingerprint = [](const Dispatch& dsp) {
    std::uint64_t h = 1469598103934665603ull;
    for (const auto& a : dsp.assignments)
      for (int v : {a.token, a.expert, a.slot}) h = (h ^ static_cast<std::uint64_t>(v)) * 1099511628211ull;
    return h;
  };
  std::vector<std::uint64_t> got;
  for (const auto& name : {"noisy_topk", "gshard", "hash"}) {
    auto r = b.registry.make_router(name, spec_of(d, E, 2, 1.0));
    scale_parameters(*r, 0.5);
    RouteContext ctx;
    ctx.step = 3;
    got.push_back(fingerprint(r->forward(x, ctx)));
  }
  const std::vector<std::uint64_t> recorded = {9240368694526911903ull, 11373541913643560257ull,
                                               7960431575598658404ull};
  CHECK(got == recorded);
}

TEST_CASE("every baseline router is registered with its keys", "[routers][dispatch]") {
  Built b;
  const auto list = b.registry.list("routers");
  for (const auto& name : kRouters) {
    CAPTURE(name);
    REQUIRE(list.count(name) == 1);
    CHECK(!list.at(name).empty());
  }
  for (const auto& key : {"router.gate_init_std", "router.noise_init_std", "router.noise_epsilon",
                          "router.second_threshold", "router.second_policy"}) {
    CAPTURE(key);
    const KeySpec* k = b.schema.find(key);
    REQUIRE(k);
    CHECK(!k->help.empty());
    CHECK(!k->default_value.empty());
  }
}

TEST_CASE("bad router parameters are rejected naming the key", "[routers][dispatch]") {
  Built b;
  auto fails_with = [&](const std::string& name, const RouterSpec& spec, const std::string& key) {
    CAPTURE(name, key);
    CHECK_THROWS_AS(b.registry.make_router(name, spec), UsageError);
    CHECK_THROWS_WITH(b.registry.make_router(name, spec), ContainsSubstring(key));
  };
  for (const auto& name : {"topk", "noisy_topk", "batch_prioritized", "expert_choice"}) {
    fails_with(name, spec_of(4, 4, 0, 1.0), "model.top_k");
    fails_with(name, spec_of(4, 4, 5, 1.0), "model.top_k");
  }
  for (const auto& name : kRouters) {
    fails_with(name, spec_of(4, 4, 1, 0.0), "model.capacity_factor");
    fails_with(name, spec_of(4, 0, 1, 1.0), "model.experts");
    if (name != "hash") fails_with(name, spec_of(0, 4, 1, 1.0), "model.d_model");
  }
  fails_with("gshard", spec_of(4, 1, 1, 1.0), "model.experts");

  // The schema rejects out-of-range values before any router is built ...
  CHECK_NOTHROW(b.config({}));
  CHECK_THROWS_WITH(b.config({{"router.second_threshold", "0"}}),
                    ContainsSubstring("router.second_threshold"));
  CHECK_THROWS_WITH(b.config({{"router.second_policy", "sometimes"}}),
                    ContainsSubstring("router.second_policy"));
  CHECK_THROWS_WITH(b.config({{"router.noise_epsilon", "-1"}}),
                    ContainsSubstring("router.noise_epsilon"));
  // ... and a router checks again when a schema lets a bad value through.
  KeySpec loose;
  loose.key = "router.noise_epsilon";
  loose.type = KeyType::Real;
  loose.default_value = "0.01";
  loose.help = "unbounded, for this test";
  b.schema.declare(loose);
  const auto config = b.config({{"router.noise_epsilon", "-1"}});
  fails_with("noisy_topk", spec_of(4, 4, 2, 1.0, &config), "router.noise_epsilon");
}
