// Bio-MoE routers (models/bio): Tsodyks–Markram resources against their
// closed forms, refractory routing balancing a skewed gate without an aux
// loss, the chemical field's explicit Laplacian (mass conservation, the
// analytic decay of a ring eigenmode, λ_max against power iteration, the
// stability check), cascade depth and adjacency, Oja-bounded Hebbian gate
// columns, and the trace of a real `moesim run` (datasets, units, dims,
// identical for 1 and 2 threads).
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "h5_read.hpp"
#include "models/bio/bio_router.hpp"
#include "models/register_models.hpp"
#include "router_test_util.hpp"
#include "run_binary.hpp"
#include "train/metrics.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cmath>
#include <functional>

using namespace moesim;
using namespace moesim::bio;
using moesim::testing::usage_message;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

Config bio_config(const std::vector<std::pair<std::string, std::string>>& overrides) {
  return testing::variant_config("refractory", overrides);
}

RouterSpec spec_of(int d, int E, int k, const Config* config) {
  RouterSpec s;
  s.d_model = d;
  s.num_experts = E;
  s.top_k = k;
  s.capacity_factor = 8.0;
  s.seed = 3;
  s.config = config;
  return s;
}

}  // namespace

TEST_CASE("refractory resources follow the Tsodyks-Markram closed forms", "[routers]") {
  RefractoryParams p;
  p.use = 0.3;
  p.tau_rec = 5.0;
  p.period = 2;
  p.floor = 0.25;
  RefractoryState st(3, p);
  const int e0 = 0, none = -1;
  st.token(&e0, 1);
  CHECK_THAT(st.resources(0), WithinRel(1.0 - 0.3 * std::exp(-1.0 / 5.0), 1e-14));
  CHECK(st.refractory(0) == 2);
  CHECK_THAT(st.availability(0), WithinRel(0.25 * st.resources(0), 1e-14));
  for (int k = 1; k <= 7; ++k) {
    st.token(&none, 1);
    CHECK_THAT(st.resources(0), WithinRel(1.0 - 0.3 * std::exp(-(k + 1) / 5.0), 1e-12));
  }
  CHECK(st.refractory(0) == 0);
  CHECK(st.resources(1) == 1.0);
  // Used on every token: the fixed point x* = (1 − e^{−1/τ}) / (1 − (1 − U) e^{−1/τ})
  // of the resources seen at routing time.
  RefractoryState busy(1, p);
  double seen = 1.0;
  for (int t = 0; t < 400; ++t) {
    seen = busy.resources(0);
    busy.token(&e0, 1);
  }
  const double r = std::exp(-1.0 / 5.0);
  CHECK_THAT(seen, WithinRel((1.0 - r) / (1.0 - 0.7 * r), 1e-12));
}

TEST_CASE("refractory routing lowers the load CV of a skewed gate with no aux loss", "[routers]") {
  const auto config = bio_config({{"bio.refractory_use", "0.9"}, {"bio.refractory_tau_rec", "16"},
                                  {"bio.refractory_floor", "0.25"}});
  const int d = 6, E = 4, T = 256;
  RouterSpec spec = spec_of(d, E, 1, &config);
  Registry registry;
  ConfigSchema schema;
  register_builtins(registry, schema);
  auto sw = registry.make_router("switch", spec);
  BioRouter refr(spec, BioRouterOptions::from_spec(spec, "refractory"), "refractory");
  // The same gate, skewed: expert 0 wins for most tokens.
  auto& ws = sw->parameters()[0]->value;
  auto& wr = refr.gate_weight().value;
  const PhiloxKey key{9, 2};
  for (int i = 0; i < d; ++i)
    for (int e = 0; e < E; ++e) ws(i, e) = wr(i, e) = float(0.3 * Philox::normal(key, i * E + e));
  HostMatrix x("x", T, d);
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < d; ++i) x(t, i) = float(Philox::normal(key, 100 + t * d + i) + (i == 0 ? 2.0 : 0.0));
  for (int e = 0; e < E; ++e) ws(0, e) = wr(0, e) = e == 0 ? 1.5f : 0.0f;
  RouteContext ctx;
  const Dispatch a = sw->forward(x, ctx), b = refr.forward(x, ctx);
  const double cv_switch = load_cv(a.expert_load), cv_refr = load_cv(b.expert_load);
  CAPTURE(cv_switch, cv_refr);
  CHECK(cv_switch > 1.0);
  CHECK(cv_refr < 0.5 * cv_switch);
  CHECK(b.aux_loss == 0.0);
  // The availability never changes the gradient path: combine weight = gate probability.
  for (const auto& as : b.assignments) CHECK(as.weight == refr.last_probs()(as.token, as.expert));
  // Inference routes on a copy: the state is unchanged by it.
  const double before = refr.refractory_state().resources(0);
  RouteContext eval;
  eval.training = false;
  refr.forward(x, eval);
  CHECK(refr.refractory_state().resources(0) == before);
}

TEST_CASE("chemical field: the Laplacian conserves mass and matches the analytic decay", "[routers]") {
  ChemicalParams p;
  p.diffusion = 0.4;
  p.decay = 0.0;
  p.dt = 0.3;
  p.release = 0;
  p.consumption = 0;
  const ExpertGraph grid = ExpertGraph::make(GraphKind::Grid, 12);
  CHECK(grid.rows == 3);
  CHECK(grid.cols == 4);
  ChemicalField field(grid, p);
  std::vector<double> c(12);
  for (int i = 0; i < 12; ++i) c[i] = (i * 7) % 5 + 0.5;
  field.set(c);
  const double mass = field.total();
  for (int s = 0; s < 200; ++s) field.diffuse_step();
  CHECK_THAT(field.total(), WithinRel(mass, 1e-12));
  for (double v : field.concentration()) CHECK_THAT(v, WithinRel(mass / 12, 1e-6));  // uniform at equilibrium

  // Ring eigenmode m: c ← (1 − dt(Dλ_m + k)) c on the mode, (1 − dt k) on the mean.
  const int n = 10, m = 2;
  ChemicalParams q = p;
  q.decay = 0.1;
  const ExpertGraph ring = ExpertGraph::make(GraphKind::Ring, n);
  ChemicalField rf(ring, q);
  const double pi = 3.14159265358979323846, lambda = 2 - 2 * std::cos(2 * pi * m / n);
  for (int i = 0; i < n; ++i) c.resize(n), c[i] = 1.0 + 0.5 * std::cos(2 * pi * m * i / n);
  rf.set(c);
  const int steps = 15;
  for (int s = 0; s < steps; ++s) rf.diffuse_step();
  const double mean_factor = std::pow(1 - q.dt * q.decay, steps);
  const double mode_factor = std::pow(1 - q.dt * (q.diffusion * lambda + q.decay), steps);
  for (int i = 0; i < n; ++i)
    CHECK_THAT(rf.concentration()[i],
               WithinAbs(mean_factor + 0.5 * mode_factor * std::cos(2 * pi * m * i / n), 1e-12));
}

TEST_CASE("chemical field: lambda_max is the Laplacian's and unstable dt is rejected", "[routers]") {
  for (auto kind : {GraphKind::Grid, GraphKind::Ring})
    for (int n : {3, 6, 8, 9}) {
      const ExpertGraph g = ExpertGraph::make(kind, n);
      // Power iteration on L (shifted to be positive definite enough to converge).
      std::vector<double> v(n), w(n);
      for (int i = 0; i < n; ++i) v[i] = std::cos(1.0 + 1.7 * i);
      double lam = 0;
      for (int it = 0; it < 5000; ++it) {
        for (int i = 0; i < n; ++i) {
          w[i] = double(g.neighbours[i].size()) * v[i];
          for (int j : g.neighbours[i]) w[i] -= v[j];
        }
        double norm = 0, dot = 0;
        for (int i = 0; i < n; ++i) dot += w[i] * v[i], norm += w[i] * w[i];
        lam = dot;
        norm = std::sqrt(norm);
        for (int i = 0; i < n; ++i) v[i] = w[i] / norm;
      }
      CAPTURE(int(kind), n);
      CHECK_THAT(g.lambda_max, WithinRel(lam, 1e-6));
    }
  const auto config = bio_config({{"bio.dt", "2"}, {"bio.diffusion", "1"}});
  const RouterSpec spec = spec_of(4, 9, 1, &config);
  const auto msg = usage_message([&] { BioRouter r(spec, BioRouterOptions::from_spec(spec, "chemical"), "chemical"); });
  CHECK_THAT(msg, ContainsSubstring("bio.dt") && ContainsSubstring("bio.diffusion") &&
                      ContainsSubstring("bio.decay") && ContainsSubstring("stability"));
  const auto ok = bio_config({{"bio.dt", "0.1"}, {"bio.diffusion", "1"}});
  const RouterSpec ok_spec = spec_of(4, 9, 1, &ok);
  CHECK_NOTHROW(BioRouter(ok_spec, BioRouterOptions::from_spec(ok_spec, "chemical"), "chemical"));
}

TEST_CASE("learned expert graph: co-activation weights, bounded degree, stable diffusion", "[routers]") {
  const int n = 5;
  ExpertGraph g = ExpertGraph::make(GraphKind::Learned, n);
  CHECK(g.lambda_max == 2.0);
  for (int i = 0; i < n; ++i) CHECK(g.neighbours[i].size() == std::size_t(n - 1));
  std::vector<double> co(n * n, 0.0);
  co[0 * n + 1] = co[1 * n + 0] = 10;
  co[2 * n + 3] = co[3 * n + 2] = 4;
  g.learn(co, 0.1);
  CHECK_THAT(g.w(0, 1), WithinRel(0.9 * 0.25 + 0.1 * 1.0, 1e-14));
  CHECK_THAT(g.w(3, 2), WithinRel(0.9 * 0.25 + 0.1 * 0.4, 1e-14));
  CHECK_THAT(g.w(0, 4), WithinRel(0.9 * 0.25, 1e-14));
  for (int it = 0; it < 200; ++it) g.learn(co, 0.1);
  for (int i = 0; i < n; ++i) {
    double deg = 0;
    for (int j = 0; j < n; ++j) deg += i == j ? 0.0 : g.w(i, j);
    CHECK(deg <= 1.0 + 1e-12);
  }
  CHECK_THAT(g.w(0, 1), WithinAbs(1.0, 1e-6));
  // Diffusion on the learned weights conserves mass and stays non-negative at the
  // largest dt the Gershgorin bound allows.
  ChemicalParams p;
  p.diffusion = 1.0;
  p.decay = 0.0;
  p.dt = 0.5;
  ChemicalField f(g, p);
  f.set({5.0, 0.0, 0.0, 1.0, 0.0});
  for (int s = 0; s < 100; ++s) {
    f.diffuse_step();
    for (double v : f.concentration()) CHECK(v >= 0.0);
  }
  CHECK_THAT(f.total(), WithinRel(6.0, 1e-12));
  // Through the router: the graph learns and the hops use positive-weight edges only.
  const auto config = bio_config({{"bio.graph", "learned"}, {"bio.graph_rate", "0.5"}, {"router.gate_init_std", "0.5"}});
  const RouterSpec spec = spec_of(4, 6, 1, &config);
  BioRouter r(spec, BioRouterOptions::from_spec(spec, "chemical"), "chemical");
  HostMatrix x("x", 32, 4);
  const PhiloxKey key{6, 6};
  for (int i = 0; i < 128; ++i) x(i / 4, i % 4) = float(Philox::normal(key, i));
  const auto before = r.field().graph().weight;
  for (int s = 1; s <= 5; ++s) {
    RouteContext ctx;
    ctx.step = std::uint64_t(s);
    r.forward(x, ctx);
    StepFeedback fb;
    fb.tokens = 32;
    r.observe_step(fb);
  }
  CHECK(r.field().graph().weight != before);
  const auto& ch = r.last_choices();
  for (int t = 0; t < 32; ++t)
    if (ch.expert[std::size_t(t) * 2 + 1] >= 0)
      CHECK(r.field().graph().w(ch.expert[std::size_t(t) * 2], ch.expert[std::size_t(t) * 2 + 1]) > 0.0);
}

TEST_CASE("chemical cascade: depth respected, hops along graph edges, field steers hops", "[routers]") {
  const auto config = bio_config({{"bio.cascade_depth", "3"}, {"router.gate_init_std", "0.5"}});
  const int d = 5, E = 9, T = 64;
  const RouterSpec spec = spec_of(d, E, 1, &config);
  BioRouter r(spec, BioRouterOptions::from_spec(spec, "chemical"), "chemical");
  HostMatrix x("x", T, d);
  const PhiloxKey key{4, 4};
  for (int i = 0; i < T * d; ++i) x(i / d, i % d) = float(Philox::normal(key, i));
  RouteContext ctx;
  const Dispatch dsp = r.forward(x, ctx);
  CHECK(dsp.assignments.size() == std::size_t(T) * 3);
  const auto& ch = r.last_choices();
  const auto& g = r.field().graph();
  for (int t = 0; t < T; ++t) {
    const int* c = &ch.expert[std::size_t(t) * 3];
    CHECK(c[0] != c[1]);
    CHECK(c[1] != c[2]);
    CHECK(c[0] != c[2]);
    for (int j = 1; j < 3; ++j) {
      const auto& nb = g.neighbours[c[j - 1]];
      CHECK(std::find(nb.begin(), nb.end(), c[j]) != nb.end());
    }
    double wsum = 0;
    for (int j = 0; j < 3; ++j) wsum += ch.weight[std::size_t(t) * 3 + j];
    CHECK_THAT(wsum, WithinAbs(1.0, 1e-6));
  }
  // A field concentrated on expert 4 (the grid's centre) pulls every second hop there
  // when the token starts next to it.
  std::vector<double> c(E, 0.0);
  c[4] = 100.0;
  r.field().set(c);
  r.forward(x, ctx);
  for (int t = 0; t < T; ++t) {
    const int first = ch.expert[std::size_t(t) * 3];
    const auto& nb = g.neighbours[first];
    if (std::find(nb.begin(), nb.end(), 4) != nb.end()) CHECK(ch.expert[std::size_t(t) * 3 + 1] == 4);
  }
}

TEST_CASE("Hebbian (Oja) gate columns stay bounded and converge to unit norm", "[routers]") {
  const int d = 6, n = 40;
  std::vector<float> x(n * d);
  const PhiloxKey key{8, 8};
  for (int i = 0; i < n * d; ++i) x[i] = float(Philox::normal(key, i) * (i % d == 2 ? 2.0 : 0.5));
  std::vector<double> w(d, 0.05);
  for (int it = 0; it < 3000; ++it) {
    oja_update(w, x.data(), n, d, 0.01);
    double norm = 0;
    for (double v : w) norm += v * v;
    REQUIRE(std::sqrt(norm) < 1.5);
  }
  double norm = 0;
  for (double v : w) norm += v * v;
  CHECK_THAT(std::sqrt(norm), WithinAbs(1.0, 1e-3));
  CHECK(std::fabs(w[2]) > 0.9);  // the principal direction of the inputs
  // Through the router, after training steps.
  const auto config = bio_config({{"bio.hebbian", "on"}, {"bio.hebbian_rate", "0.02"}});
  const RouterSpec spec = spec_of(d, 3, 1, &config);
  BioRouter r(spec, BioRouterOptions::from_spec(spec, "refractory"), "refractory");
  HostMatrix xb("xb", n, d);
  for (int i = 0; i < n * d; ++i) xb(i / d, i % d) = x[i];
  for (int s = 1; s <= 800; ++s) {
    RouteContext ctx;
    ctx.step = std::uint64_t(s);
    r.forward(xb, ctx);
    StepFeedback fb;
    fb.tokens = n;
    r.observe_step(fb);
  }
  for (int e = 0; e < 3; ++e) {
    double s = 0;
    for (int i = 0; i < d; ++i) s += std::pow(double(r.gate_weight().value(i, e)), 2);
    CAPTURE(e);
    CHECK(std::sqrt(s) < 1.05);
  }
}

TEST_CASE("moesim run traces the bio substrate with units and dims, identical at 1 and 2 threads", "[routers][trace]") {
  using namespace moesim::testing;
  const auto dir = temp_dir("bio_trace");
  std::vector<std::vector<double>> field, loss, energy, resources;
  for (const char* threads : {"1", "2"}) {
    const std::string out = (dir / (std::string("b") + threads + ".h5")).string();
    const auto r = run_moesim({"run", "--output", out, "--threads", threads, "--set",
                               "experiment.variants=chemical,refractory", "--set", "bio.refractory=on",
                               "--set", "bio.hebbian=on", "--set", "model.expert_type=spiking", "--set",
                               "spiking.encoder=poisson", "--set", "spiking.steps=4", "--set",
                               "data.examples=800", "--set", "data.dim=8", "--set", "model.d_model=16",
                               "--set", "model.d_ff=16", "--set", "model.experts=4", "--set",
                               "train.steps=12", "--set", "train.batch_size=64", "--set",
                               "bio.snapshot_every=5"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    H5File f(out);
    const std::string g = "/runs/chemical/substrate/chemical";
    CHECK(f.string_attr("/runs/chemical", "substrate") == "bio");
    REQUIRE(f.exists(g + "/field"));
    const int layers = 2, E = 4;
    CHECK(f.shape(g + "/field") == std::vector<hsize_t>{3 * layers, hsize_t(E)});  // steps 1, 5, 10
    CHECK(f.string_array_attr(g + "/field", "dims") == std::vector<std::string>{"snapshot", "expert"});
    CHECK(f.string_attr(g + "/field", "units") == "1");
    for (const char* m : {"step", "seed", "layer", "total", "mean_hops"}) {
      CAPTURE(m);
      REQUIRE(f.exists(g + "/" + m));
      CHECK(f.string_array_attr(g + "/" + m, "dims") == std::vector<std::string>{"record"});
    }
    const std::string rg = "/runs/refractory/substrate/refractory";
    REQUIRE(f.exists(rg + "/resources"));
    CHECK(f.string_array_attr(rg + "/resources", "dims") == std::vector<std::string>{"record", "expert"});
    CHECK(f.exists("/runs/chemical/substrate/refractory/resources"));
    CHECK(f.exists("/runs/chemical/substrate/hebbian/weight_norm"));
    CHECK(f.exists("/runs/chemical/eval/mutual_information"));
    for (double v : f.doubles(g + "/field")) CHECK(v >= 0.0);
    for (double v : f.doubles("/runs/chemical/substrate/chemical/mean_hops")) CHECK(v == 2.0);
    field.push_back(f.doubles(g + "/field"));
    loss.push_back(f.doubles("/runs/chemical/train/loss"));
    energy.push_back(f.doubles("/runs/refractory/train/energy"));
    resources.push_back(f.doubles(rg + "/resources"));
  }
  CHECK(field[0] == field[1]);
  CHECK(loss[0] == loss[1]);
  CHECK(energy[0] == energy[1]);
  CHECK(resources[0] == resources[1]);
  for (double e : energy[0]) CHECK(e > 0.0);
}
