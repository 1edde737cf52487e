// The stigmergic router (models/swarm/stigmergic): pheromone update
// arithmetic against hand-computed values, MAX–MIN bounds under adversarial
// rewards, emergence of expert highways on a 4-cluster mixture, determinism,
// gradients through the combine weights with τ fixed, parameter validation,
// and the /runs/<v>/substrate/pheromone trace of a real `moesim run`.
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "h5_read.hpp"
#include "models/register_models.hpp"
#include "models/swarm/stigmergic/register_stigmergic.hpp"
#include "models/swarm/stigmergic/stigmergic_router.hpp"
#include "router_test_util.hpp"
#include "run_binary.hpp"
#include "train/experiment.hpp"

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <tuple>

using namespace moesim;
using Catch::Approx;

namespace {

StigmergyParams small_params() {
  StigmergyParams p;
  p.hash_bits = 1;
  p.rho = 0.5;
  p.reinforcement = 1.0;
  p.tau_min = 0.1;
  p.tau_max = 2.0;
  p.baseline_momentum = 0.9;
  return p;
}

RouterSpec spec_of(int d, int E, int k, const Config* config, std::uint64_t seed = 5) {
  RouterSpec s;
  s.d_model = d;
  s.num_experts = E;
  s.top_k = k;
  s.capacity_factor = 4.0;
  s.seed = seed;
  s.layer = 0;
  s.config = config;
  return s;
}

Config stig_config(const std::vector<std::pair<std::string, std::string>>& overrides) {
  return testing::variant_config("stigmergic", overrides);
}

// 4 well-separated clusters in d dimensions: cluster c's tokens are
// center_c + 0.05·noise. Returns x [T, d] and the cluster of each row.
void clustered_batch(int T, int d, std::uint64_t step, HostMatrix& x, std::vector<int>& cluster) {
  const PhiloxKey centers{77, 1}, noise{77, 2};
  x = HostMatrix("x", T, d);
  cluster.resize(T);
  for (int t = 0; t < T; ++t) {
    const int c = int(Philox::below(noise, step * 100000 + std::uint64_t(t), 4));
    cluster[t] = c;
    for (int i = 0; i < d; ++i)
      x(t, i) = float(Philox::normal(centers, std::uint64_t(c) * d + i) +
                      0.05 * Philox::normal(noise, (step * 100000 + std::uint64_t(t)) * 64 + 1 + i));
  }
}

// Trains only the pheromone field: loss 0.1 when a token's first choice is
// expert (cluster), 1.0 otherwise (the gate is not updated).
void train_highways(StigmergicRouter& router, int steps, int T, int d) {
  HostMatrix x;
  std::vector<int> cluster;
  for (int s = 1; s <= steps; ++s) {
    clustered_batch(T, d, std::uint64_t(s), x, cluster);
    RouteContext ctx;
    ctx.training = true;
    ctx.step = std::uint64_t(s);
    router.forward(x, ctx);
    std::vector<double> loss(T);
    const auto& ch = router.last_choices();
    for (int t = 0; t < T; ++t) loss[t] = ch.expert[std::size_t(t) * ch.k] == cluster[t] ? 0.1 : 1.0;
    StepFeedback fb;
    fb.step = std::uint64_t(s);
    fb.tokens = T;
    fb.token_loss = loss.data();
    fb.token_clusters = cluster.data();
    fb.num_clusters = 4;
    router.observe_step(fb);
  }
}

}  // namespace

TEST_CASE("MAX-MIN evaporation and reinforcement match a hand computation", "[stigmergy]") {
  PheromoneField f(2, 2, small_params());  // starts at tau_max = 2
  CHECK(f.tau(0, 0) == 2.0);
  // t0: bucket 0, expert 0, loss 1; t1: bucket 0, expert 1, loss 3; t2: bucket 1, expert 1, loss 2.
  const std::vector<int> bucket{0, 0, 1}, chosen{0, 1, 1};
  std::vector<double> loss{1.0, 3.0, 2.0};
  // Step 1: μ0 = (1+3)/2 = 2, μ1 = 2. q = (1, 0, 0). deposit(0,0) = 1·1/2 = 0.5.
  const double q1 = f.update(bucket, chosen, 1, loss.data());
  CHECK(q1 == Approx(1.0 / 3.0));
  CHECK(f.tau(0, 0) == Approx(0.5 * 2.0 + 0.5));  // 1.5
  CHECK(f.tau(0, 1) == Approx(1.0));
  CHECK(f.tau(1, 0) == Approx(1.0));
  CHECK(f.tau(1, 1) == Approx(1.0));
  CHECK(f.baseline()[0] == Approx(2.0));  // 0.9·2 + 0.1·2
  // Step 2: t0's loss 1.5 → q0 = 2 − 1.5 = 0.5, deposit 0.25.
  loss[0] = 1.5;
  f.update(bucket, chosen, 1, loss.data());
  CHECK(f.tau(0, 0) == Approx(0.5 * 1.5 + 0.25));  // 1.0
  CHECK(f.tau(0, 1) == Approx(0.5));
  CHECK(f.tau(1, 1) == Approx(0.5));
  CHECK(f.baseline()[0] == Approx(0.9 * 2.0 + 0.1 * 2.25));  // 2.025
  // Unrewarded edges hit the floor tau_min and stay there.
  for (int i = 0; i < 10; ++i) f.update(bucket, chosen, 1, loss.data());
  CHECK(f.tau(0, 1) == 0.1);
  CHECK(f.tau(1, 0) == 0.1);
  CHECK(f.mean_entropy_nats() > 0.0);
}

TEST_CASE("AntNet update matches a hand computation", "[stigmergy]") {
  StigmergyParams p = small_params();
  p.update = StigmergyParams::Update::AntNet;
  p.tau_min = 0.01;
  p.tau_max = 1.0;
  PheromoneField f(2, 2, p);  // rows start at 1/E = 0.5
  CHECK(f.tau(1, 1) == 0.5);
  const std::vector<int> bucket{0, 0}, chosen{0, 1};
  const std::vector<double> loss{1.0, 3.0};
  f.update(bucket, chosen, 1, loss.data());
  // μ0 = 2, q0 = 1, r = tanh(1 · 1 / 2) / 2 tokens.
  const double r = std::tanh(0.5) / 2.0;
  CHECK(f.tau(0, 0) == Approx(0.5 + r * 0.5));
  CHECK(f.tau(0, 1) == Approx(0.5 - r * 0.5));
  CHECK(f.tau(0, 0) + f.tau(0, 1) == Approx(1.0));
  CHECK(f.tau(1, 0) == 0.5);  // bucket 1 saw no token
}

TEST_CASE("pheromone stays within MAX-MIN bounds under adversarial rewards", "[stigmergy]") {
  for (auto update : {StigmergyParams::Update::MaxMin, StigmergyParams::Update::AntNet}) {
    StigmergyParams p;
    p.hash_bits = 2;
    p.rho = 0.01;
    p.reinforcement = 1e6;
    p.tau_min = 0.05;
    p.tau_max = 3.0;
    p.update = update;
    PheromoneField f(4, 3, p);
    const PhiloxKey key{9, 9};
    const double extremes[] = {1e300, -1e300, 1e30, -1e30, 0.0, std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity(), 1e-300, -5.0, 7.0};
    std::uint64_t c = 0;
    for (int step = 0; step < 300; ++step) {
      const int T = 32;
      std::vector<int> bucket(T), chosen(T * 2);
      std::vector<double> loss(T);
      for (int t = 0; t < T; ++t) {
        bucket[t] = int(Philox::below(key, c++, 4));
        chosen[t * 2] = int(Philox::below(key, c++, 3));
        chosen[t * 2 + 1] = int(Philox::below(key, c++, 4)) - 1;  // -1 = none
        loss[t] = extremes[Philox::below(key, c++, 10)] * (step % 3 == 0 ? -1.0 : 1.0);
      }
      f.update(bucket, chosen, 2, loss.data());
      for (int b = 0; b < 4; ++b)
        for (int e = 0; e < 3; ++e) {
          const double v = f.tau(b, e);
          REQUIRE(std::isfinite(v));
          REQUIRE(v >= p.tau_min);
          REQUIRE(v <= p.tau_max);
        }
    }
    CHECK(std::isfinite(f.mean_entropy_nats()));
  }
}

TEST_CASE("expert highways emerge on a 4-cluster mixture", "[stigmergy]") {
  const auto config = stig_config({{"stigmergy.selection", "sample"}, {"stigmergy.hash_bits", "4"}});
  const int d = 16, E = 4, T = 128;
  StigmergicRouter router(spec_of(d, E, 1, &config));
  train_highways(router, 300, T, d);
  CHECK(router.last_metrics().saturated_edges >= 1);
  CHECK(router.last_metrics().strongest_edge_fraction > 0.8);

  // Inference (top-k, τ frozen) on fresh tokens.
  HostMatrix x;
  std::vector<int> cluster;
  clustered_batch(512, d, 99999, x, cluster);
  auto field_values = [&] {
    std::vector<double> v;
    for (int b = 0; b < router.field().buckets(); ++b)
      for (int e = 0; e < E; ++e) v.push_back(router.field().tau(b, e));
    return v;
  };
  const auto tau_before = field_values();
  RouteContext ctx;
  ctx.training = false;
  const Dispatch disp = router.forward(x, ctx);
  std::vector<int> first(512);
  for (int t = 0; t < 512; ++t) first[t] = router.last_choices().expert[t];
  std::vector<int> dominant(4);
  for (int c = 0; c < 4; ++c) {
    std::vector<int> counts(E, 0);
    int n = 0;
    for (int t = 0; t < 512; ++t)
      if (cluster[t] == c) {
        ++n;
        ++counts[first[t]];
      }
    REQUIRE(n > 0);
    int best = 0;
    for (int e = 1; e < E; ++e)
      if (counts[e] > counts[best]) best = e;
    dominant[c] = best;
    CAPTURE(c, n, counts);
    CHECK(double(counts[best]) / n >= 0.8);
    CHECK(best == c);  // the rewarded assignment
  }
  std::vector<int> sorted = dominant;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::unique(sorted.begin(), sorted.end()) == sorted.end());  // distinct experts
  double agreement = 0, distinct = 0;
  cluster_agreement(cluster.data(), 4, first, E, agreement, distinct);
  CHECK(agreement >= 0.8);
  CHECK(distinct == 1.0);
  // Inference does not change τ.
  StepFeedback fb;
  std::vector<double> loss(512, 0.0);
  fb.tokens = 512;
  fb.token_loss = loss.data();
  router.observe_step(fb);
  CHECK(field_values() == tau_before);
  CHECK(disp.num_tokens == 512);
}

TEST_CASE("without reward favouring an assignment no highway matches the clusters", "[stigmergy]") {
  // Control for the test above: the same router with α = 0 (pheromone ignored)
  // routes by the untrained gate only, and does not put cluster c on expert c.
  const auto config = stig_config({{"stigmergy.alpha", "0"}, {"stigmergy.hash_bits", "4"}});
  StigmergicRouter router(spec_of(16, 4, 1, &config));
  train_highways(router, 50, 128, 16);
  HostMatrix x;
  std::vector<int> cluster;
  clustered_batch(256, 16, 99999, x, cluster);
  RouteContext ctx;
  ctx.training = false;
  router.forward(x, ctx);
  int on_own = 0;
  for (int t = 0; t < 256; ++t) on_own += router.last_choices().expert[t] == cluster[t];
  CHECK(on_own < 0.8 * 256);
}

TEST_CASE("same seed gives identical pheromone fields", "[stigmergy]") {
  const auto config = stig_config({{"stigmergy.selection", "sample"}});
  auto run = [&](std::uint64_t seed) {
    StigmergicRouter r(spec_of(16, 4, 2, &config, seed));
    train_highways(r, 40, 64, 16);
    std::vector<double> tau;
    for (int b = 0; b < r.field().buckets(); ++b)
      for (int e = 0; e < 4; ++e) tau.push_back(r.field().tau(b, e));
    return tau;
  };
  const auto a = run(3), b = run(3), c = run(4);
  CHECK(a == b);  // bitwise
  CHECK(a != c);
}

TEST_CASE("stigmergic gradients through the combine weights match central differences", "[stigmergy]") {
  for (int k : {1, 2}) {
    CAPTURE(k);
    const auto config = stig_config({{"router.gate_init_std", "0.7"}, {"stigmergy.hash_bits", "2"}});
    const int T = 12, d = 5, E = 4;
    RouterSpec spec = spec_of(d, E, k, &config);
    spec.capacity_factor = 1.0;  // capacity binds for some experts
    StigmergicRouter router(spec);
    const PhiloxKey key{11, 3};
    for (int b = 0; b < router.field().buckets(); ++b)
      for (int e = 0; e < E; ++e) router.field().set_tau(b, e, 0.02 + 0.9 * Philox::uniform(key, 100 + b * E + e));
    HostMatrix x("x", T, d), r("r", T, E);
    for (int i = 0; i < T * d; ++i) x(i / d, i % d) = float(Philox::normal(key, i));
    for (int i = 0; i < T * E; ++i) r(i / E, i % E) = float(Philox::normal(key, 1000 + i));
    const double aux_coef = 0.3, z_coef = 0.2;
    RouteContext ctx;
    using Sig = std::vector<std::tuple<int, int, int>>;
    auto loss = [&](Sig* sig) {
      const auto disp = router.forward(x, ctx);
      double l = aux_coef * disp.aux_loss + z_coef * disp.z_loss;
      for (const auto& a : disp.assignments) l += double(a.weight) * r(a.token, a.expert);
      if (sig) {
        sig->clear();
        for (const auto& a : disp.assignments) sig->emplace_back(a.token, a.expert, a.slot);
      }
      return l;
    };
    Sig base;
    loss(&base);
    // Analytic gradient.
    for (auto* p : router.parameters()) p->zero_grad();
    const auto disp = router.forward(x, ctx);
    DispatchGrad g;
    for (const auto& a : disp.assignments) g.d_weight.push_back(r(a.token, a.expert));
    HostMatrix dx("dx", T, d);
    router.backward(x, disp, g, aux_coef, z_coef, dx);
    auto check = [&](float& v, double analytic, int& compared, int& total) {
      const double h = 1e-3;
      const float keep = v;
      Sig up_sig, down_sig;
      v = keep + float(h);
      const double up = loss(&up_sig);
      v = keep - float(h);
      const double down = loss(&down_sig);
      v = keep;
      ++total;
      if (up_sig != base || down_sig != base) return;
      ++compared;
      const double numeric = (up - down) / (2 * h);
      CHECK(std::abs(analytic - numeric) <= 2e-2 * std::max(1e-2, std::abs(analytic) + std::abs(numeric)));
    };
    int compared = 0, total = 0;
    Parameter& w = *router.parameters()[0];
    const HostMatrix grad_copy("g", w.grad.extent(0), w.grad.extent(1));
    Kokkos::deep_copy(grad_copy, w.grad);
    for (std::size_t i = 0; i < w.value.size(); ++i) {
      const std::size_t cols = w.value.extent(1);
      check(w.value(i / cols, i % cols), grad_copy(i / cols, i % cols), compared, total);
    }
    for (int i = 0; i < T * d; ++i) check(x(i / d, i % d), dx(i / d, i % d), compared, total);
    CHECK(compared >= 0.7 * total);
    // The gradient is not trivially zero.
    double norm = 0;
    for (std::size_t i = 0; i < grad_copy.size(); ++i)
      norm += std::abs(grad_copy(i / grad_copy.extent(1), i % grad_copy.extent(1)));
    CHECK(norm > 1e-4);
  }
}

TEST_CASE("bad stigmergy parameters are usage errors naming the key", "[stigmergy]") {
  using Catch::Matchers::ContainsSubstring;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"stigmergy.rho", "0"},          {"stigmergy.rho", "1.5"},     {"stigmergy.rho", "-0.1"},
      {"stigmergy.alpha", "-1"},       {"stigmergy.beta", "-0.5"},   {"stigmergy.hash_bits", "0"},
      {"stigmergy.tau_min", "0"},      {"stigmergy.tau_max", "0.01"}, {"stigmergy.tau_max", "0.005"},
      {"stigmergy.update", "aco"},     {"stigmergy.selection", "greedy"},
      {"stigmergy.baseline_momentum", "1"}};
  for (const auto& [key, value] : bad) {
    CAPTURE(key, value);
    // Either the configuration (declared ranges) or the router (cross-key
    // constraints such as tau_max > tau_min) rejects it, naming the key.
    const std::string msg = testing::usage_message([&, k = key, v = value] {
      const auto config = stig_config({{k, v}});
      StigmergicRouter router(spec_of(8, 4, 1, &config));
    });
    CHECK_THAT(msg, ContainsSubstring(key));
  }
  // Directly built parameter sets are checked too.
  StigmergyParams p;
  p.rho = 0.0;
  CHECK_THAT(testing::usage_message([&] { p.validate(); }), ContainsSubstring("stigmergy.rho"));
  p = StigmergyParams{};
  p.alpha = -0.1;
  CHECK_THAT(testing::usage_message([&] { PheromoneField f(4, 4, p); }), ContainsSubstring("stigmergy.alpha"));
  p = StigmergyParams{};
  p.hash_bits = 0;
  CHECK_THAT(testing::usage_message([&] { p.validate(); }), ContainsSubstring("stigmergy.hash_bits"));
  p = StigmergyParams{};
  p.tau_max = p.tau_min;
  CHECK_THAT(testing::usage_message([&] { p.validate(); }), ContainsSubstring("stigmergy.tau_max"));
  // A valid configuration builds.
  const auto ok = stig_config({{"stigmergy.rho", "1"}, {"stigmergy.alpha", "0"}});
  CHECK_NOTHROW(StigmergicRouter(spec_of(8, 4, 1, &ok)));
}

TEST_CASE("moesim run traces the pheromone field with units and dims", "[stigmergy][trace]") {
  using namespace moesim::testing;
  const auto dir = temp_dir("stigmergy_trace");
  const std::string out = (dir / "s.h5").string();
  const auto r = run_moesim({"run", "--output", out, "--set", "experiment.variants=stigmergic,switch",
                             "--set", "data.examples=1200", "--set", "data.dim=8", "--set",
                             "model.d_model=16", "--set", "model.d_ff=16", "--set", "model.experts=4",
                             "--set", "train.steps=30", "--set", "train.batch_size=64", "--set",
                             "stigmergy.snapshot_every=10"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  H5File f(out);
  const std::string g = "/runs/stigmergic/substrate/pheromone";
  CHECK(f.string_attr("/runs/stigmergic", "substrate") == "stigmergy");
  CHECK(f.string_attr("/runs/switch", "substrate") == "digital");
  REQUIRE(f.exists(g + "/tau"));
  const int layers = 2, steps = 30, B = 16, E = 4;
  // Snapshots at steps 1, 10, 20, 30 for each layer.
  CHECK(f.shape(g + "/tau") == std::vector<hsize_t>{4 * layers, hsize_t(B), hsize_t(E)});
  CHECK(f.string_array_attr(g + "/tau", "dims") == std::vector<std::string>{"snapshot", "bucket", "expert"});
  CHECK(f.string_attr(g + "/tau", "units") == "1");
  const auto tau = f.doubles(g + "/tau");
  for (double v : tau) {
    CHECK(v >= 0.01);
    CHECK(v <= 1.0);
  }
  for (const char* m : {"step", "seed", "layer", "strongest_edge_fraction", "saturated_edges", "entropy",
                        "cluster_agreement", "distinct_cluster_experts", "mean_quality"}) {
    CAPTURE(m);
    REQUIRE(f.exists(g + "/" + m));
    CHECK(f.shape(g + "/" + m) == std::vector<hsize_t>{hsize_t(steps * layers)});
    CHECK(f.string_array_attr(g + "/" + m, "dims") == std::vector<std::string>{"record"});
    CHECK_FALSE(f.string_attr(g + "/" + m, "units").empty());
  }
  CHECK(f.string_attr(g + "/entropy", "units") == "nat");
  const auto agreement = f.doubles(g + "/cluster_agreement");
  for (double v : agreement) {
    CHECK(v > 0.0);  // the Gaussian mixture has clusters: finite, in (0, 1]
    CHECK(v <= 1.0);
  }
  CHECK(f.doubles(g + "/step").back() == steps);
  CHECK(f.exists(g + "/snapshot_step"));
  CHECK_FALSE(f.exists("/runs/switch/substrate"));
}

TEST_CASE("with alpha = 0 and k = 1 the stigmergic router routes exactly as Switch", "[stigmergy]") {
  Registry registry;
  ConfigSchema schema;
  register_builtins(registry, schema);
  const auto config = stig_config({{"stigmergy.alpha", "0"}, {"router.gate_init_std", "0.5"}});
  RouterSpec spec = spec_of(6, 4, 1, &config);
  spec.capacity_factor = 1.0;
  auto sw = registry.make_router("switch", spec);
  StigmergicRouter st(spec);
  const PhiloxKey key{21, 4};
  HostMatrix x("x", 40, 6);
  for (int i = 0; i < 240; ++i) x(i / 6, i % 6) = float(Philox::normal(key, i));
  RouteContext ctx;
  const Dispatch a = sw->forward(x, ctx), b = st.forward(x, ctx);
  REQUIRE(a.assignments.size() == b.assignments.size());
  for (std::size_t i = 0; i < a.assignments.size(); ++i) {
    CHECK(a.assignments[i].token == b.assignments[i].token);
    CHECK(a.assignments[i].expert == b.assignments[i].expert);
    CHECK(a.assignments[i].slot == b.assignments[i].slot);
    CHECK(a.assignments[i].weight == b.assignments[i].weight);
  }
  CHECK(a.aux_loss == b.aux_loss);
  CHECK(a.z_loss == b.z_loss);
  CHECK(a.tokens_dropped == b.tokens_dropped);
  DispatchGrad g;
  for (std::size_t i = 0; i < a.assignments.size(); ++i) g.d_weight.push_back(float(Philox::normal(key, 1000 + i)));
  HostMatrix dxa("dxa", 40, 6), dxb("dxb", 40, 6);
  sw->backward(x, a, g, 0.01, 0.001, dxa);
  st.backward(x, b, g, 0.01, 0.001, dxb);
  const auto& ga = sw->parameters()[0]->grad;
  const auto& gb = st.parameters()[0]->grad;
  for (std::size_t i = 0; i < ga.size(); ++i)
    CHECK(ga(i / ga.extent(1), i % ga.extent(1)) == gb(i / gb.extent(1), i % gb.extent(1)));
  // With α > 0 a pheromone field that favours another expert changes the routing.
  const auto config2 = stig_config({{"router.gate_init_std", "0.5"}});
  RouterSpec spec2 = spec_of(6, 4, 1, &config2);
  StigmergicRouter st2(spec2);
  for (int bk = 0; bk < st2.field().buckets(); ++bk)
    for (int e = 0; e < 4; ++e) st2.field().set_tau(bk, e, e == 3 ? 1.0 : 0.01);
  st2.forward(x, ctx);
  int on3 = 0;
  for (int t = 0; t < 40; ++t) on3 += st2.last_choices().expert[t] == 3;
  CHECK(on3 == 40);
}

TEST_CASE("the pheromone trace is identical for 1 and 2 threads", "[stigmergy][trace]") {
  using namespace moesim::testing;
  const auto dir = temp_dir("stigmergy_threads");
  std::vector<std::vector<double>> tau, agreement;
  for (const char* threads : {"1", "2"}) {
    const std::string out = (dir / (std::string("t") + threads + ".h5")).string();
    const auto r = run_moesim({"run", "--output", out, "--threads", threads, "--set",
                               "experiment.variants=stigmergic", "--set", "experiment.seeds=1,2", "--set",
                               "stigmergy.selection=sample", "--set", "data.examples=1200", "--set",
                               "data.dim=8", "--set", "model.d_model=16", "--set", "model.d_ff=16", "--set",
                               "model.experts=4", "--set", "train.steps=20", "--set", "train.batch_size=64"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    H5File f(out);
    tau.push_back(f.doubles("/runs/stigmergic/substrate/pheromone/tau"));
    agreement.push_back(f.doubles("/runs/stigmergic/substrate/pheromone/cluster_agreement"));
  }
  CHECK_FALSE(tau[0].empty());
  CHECK(tau[0] == tau[1]);
  CHECK(agreement[0] == agreement[1]);
}
