// The QS-MoE router (models/quantum/router): expert probabilities and the
// null expert, parameter-shift gradients against central differences (exact
// mode, and the shift rule under noise), shot sampling, the density-matrix
// noise model, the decoherence manager, the swarm-timed collapse search, and
// a real `moesim run` (it learns next to switch and soft_moe; the
// substrate/quantum trace has units and dims).
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "gradcheck.hpp"
#include "h5_read.hpp"
#include "models/baselines/router_config.hpp"
#include "models/quantum/noise.hpp"
#include "models/quantum/router/collapse.hpp"
#include "models/quantum/router/decoherence.hpp"
#include "models/quantum/router/noisy_register.hpp"
#include "models/quantum/router/quantum_router.hpp"
#include "models/register_models.hpp"
#include "router_test_util.hpp"
#include "run_binary.hpp"

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <tuple>

using namespace moesim;
namespace q = moesim::quantum;
using Catch::Approx;

namespace {

RouterSpec spec_of(int d, int E, int k, std::uint64_t seed = 3) {
  RouterSpec s;
  s.d_model = d;
  s.num_experts = E;
  s.top_k = k;
  s.capacity_factor = 8.0;  // no drops: the loss is smooth in the weights
  s.seed = seed;
  return s;
}

HostMatrix random_x(int T, int d, std::uint64_t seed) {
  HostMatrix x("x", T, d);
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < d; ++i) x(t, i) = float(Philox::normal({seed, 1}, std::uint64_t(t * d + i)));
  return x;
}


Config quantum_config(const std::vector<std::pair<std::string, std::string>>& overrides) {
  return testing::variant_config("quantum", overrides);
}

// Gradient check of every input and parameter of a router under
// L = Σ_i c(token_i, expert_i) · weight_i + aux_coef · aux_loss.
void check_router_gradients(q::QuantumRouter& router, const HostMatrix& x, int E, double aux_coef) {
  const int T = int(x.extent(0));
  std::vector<double> c(std::size_t(T) * E);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = Philox::normal({5, 5}, i);
  RouteContext ctx;
  ctx.training = true;
  auto loss = [&] {
    const Dispatch d = router.forward(x, ctx);
    double l = aux_coef * d.aux_loss;
    for (const auto& a : d.assignments) l += c[std::size_t(a.token) * E + a.expert] * a.weight;
    return l;
  };
  auto decisions = [&] { return router.last_choices(); };
  const Dispatch d = router.forward(x, ctx);
  DispatchGrad g;
  for (const auto& a : d.assignments) g.d_weight.push_back(float(c[std::size_t(a.token) * E + a.expert]));
  for (Parameter* p : router.parameters()) p->zero_grad();
  HostMatrix dx("dx", x.extent(0), x.extent(1));
  router.backward(x, d, g, aux_coef, 0.0, dx);
  const auto rx = testing::piecewise_gradient_error(x, dx, loss, decisions, 1e-2, 1e-2, 64);
  CHECK(rx.compared >= rx.total / 2);
  CHECK(rx.worst < 2e-3);
  for (Parameter* p : router.parameters()) {
    CAPTURE(p->name);
    HostMatrix grad("grad_copy", p->grad.extent(0), p->grad.extent(1));
    Kokkos::deep_copy(grad, p->grad);
    const auto r = testing::piecewise_gradient_error(p->value, grad, loss, decisions, 1e-2, 1e-2, 64);
    CHECK(r.compared >= r.total / 2);
    CHECK(r.worst < 2e-3);
  }
}

}  // namespace

TEST_CASE("quantum router: expert probabilities, null expert and renormalisation", "[quantum][routers]") {
  const HostMatrix x = random_x(20, 6, 1);
  q::QuantumRouterOptions o;
  o.layers = 2;
  // 3 experts on 2 qubits: basis state 3 is unused.
  q::QuantumRouter null_router(spec_of(6, 3, 1), o);
  REQUIRE(null_router.layout().qubits == 2);
  RouteContext ctx;
  const Dispatch d = null_router.forward(x, ctx);
  const auto& P = null_router.last_state_probs();
  const auto& p = null_router.last_expert_probs();
  int null_chosen = 0;
  for (int t = 0; t < 20; ++t) {
    double s = 0;
    for (int i = 0; i < 4; ++i) s += P[std::size_t(t) * 4 + i];
    CHECK(s == Approx(1.0).margin(1e-12));
    for (int e = 0; e < 3; ++e) CHECK(p[std::size_t(t) * 4 + e] == P[std::size_t(t) * 4 + e]);
    CHECK(p[std::size_t(t) * 4 + 3] == P[std::size_t(t) * 4 + 3]);  // the null expert
    // Top-1 over experts and null: the null expert sends nothing.
    int best = 0;
    for (int i = 1; i < 4; ++i)
      if (P[std::size_t(t) * 4 + i] > P[std::size_t(t) * 4 + best]) best = i;
    CHECK(null_router.last_choices()[std::size_t(t)] == (best == 3 ? -1 : best));
    null_chosen += best == 3;
  }
  CHECK(null_chosen > 0);  // the random initial circuit does put tokens on the null expert
  CHECK(int(d.assignments.size()) == 20 - null_chosen);
  CHECK(d.tokens_dropped == 0);

  o.null_expert = false;
  q::QuantumRouter renorm(spec_of(6, 3, 1), o);
  const Dispatch d2 = renorm.forward(x, ctx);
  CHECK(d2.assignments.size() == 20);
  for (int t = 0; t < 20; ++t) {
    double s = 0;
    for (int e = 0; e < 3; ++e) s += renorm.last_expert_probs()[std::size_t(t) * 4 + e];
    CHECK(s == Approx(1.0).margin(1e-12));
    CHECK(renorm.last_expert_probs()[std::size_t(t) * 4 + 3] == 0.0);
  }
  // 2^qubits < experts is a usage error naming the key.
  o.qubits = 2;
  try {
    q::QuantumRouter bad(spec_of(6, 5, 1), o);
    FAIL("no UsageError");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()).find("quantum.qubits") != std::string::npos);
  }
}

TEST_CASE("quantum router: parameter-shift gradients match central differences", "[quantum][routers]") {
  for (int k : {1, 2}) {
    for (bool null_expert : {true, false}) {
      CAPTURE(k, null_expert);
      q::QuantumRouterOptions o;
      o.layers = 2;
      o.null_expert = null_expert;
      q::QuantumRouter router(spec_of(5, 3, k, 11), o);
      check_router_gradients(router, random_x(8, 5, 2), 3, 0.3);
    }
  }
  // Four experts on three qubits (explicit), three layers.
  q::QuantumRouterOptions o;
  o.qubits = 3;
  o.layers = 3;
  q::QuantumRouter router(spec_of(4, 4, 2, 12), o);
  check_router_gradients(router, random_x(6, 4, 3), 4, 0.0);
}

TEST_CASE("parameter-shift rule holds under device noise (density matrices)", "[quantum]") {
  q::CircuitLayout layout;
  layout.qubits = 3;
  layout.layers = 2;
  q::RegisterNoise noise;
  noise.after_1q = q::depolarizing(0.01).ops;
  noise.after_2q = q::depolarizing(0.03).ops;
  noise.idle_encoding = q::thermal_relaxation(50e-6, 40e-6, 1e-6).ops;
  noise.idle_layer = q::thermal_relaxation(50e-6, 40e-6, 3e-6).ops;
  noise.readout_p01 = 0.02;
  noise.readout_p10 = 0.05;
  q::NoisyRegisterModel model(noise, 3);
  const std::size_t S = layout.slots(), dim = 8;
  std::vector<double> base(S);
  for (std::size_t s = 0; s < S; ++s) base[s] = 6 * Philox::uniform({8, 8}, s) - 3;
  for (std::size_t s = 0; s < S; ++s) {
    CAPTURE(s);
    std::vector<double> a(4 * S);
    const double shifts[4] = {1.5707963267948966, -1.5707963267948966, 1e-4, -1e-4};
    for (int r = 0; r < 4; ++r) {
      std::copy(base.begin(), base.end(), a.begin() + std::ptrdiff_t(r * S));
      a[r * S + s] += shifts[r];
    }
    const auto P = model.probabilities(layout, 2, a, 4, nullptr);
    for (std::size_t i = 0; i < dim; ++i) {
      const double shift = 0.5 * (P[i] - P[dim + i]);
      const double fd = (P[2 * dim + i] - P[3 * dim + i]) / 2e-4;
      CHECK(shift == Approx(fd).margin(1e-7));
    }
  }
}

TEST_CASE("density-matrix registers: noiseless equals the state vector, noise lowers fidelity", "[quantum]") {
  q::CircuitLayout layout;
  layout.qubits = 3;
  layout.layers = 2;
  const std::size_t S = layout.slots(), R = 5, dim = 8;
  std::vector<double> a(R * S);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = 6 * Philox::uniform({9, 9}, i);
  q::BatchedSimulator<double> sim;
  auto st = sim.create(3, R);
  const auto table = sim.make_angles(a, R, S);
  sim.run(st, layout.program(2), &table);
  const auto exact = sim.probabilities_host(st);
  std::vector<double> fid;
  const auto clean = q::NoisyRegisterModel(q::RegisterNoise{}, 3).probabilities(layout, 2, a, R, &fid);
  for (std::size_t i = 0; i < exact.size(); ++i) CHECK(clean[i] == Approx(exact[i]).margin(1e-12));
  for (double f : fid) CHECK(f == Approx(1.0).margin(1e-12));

  q::RegisterNoise noise;
  noise.after_1q = q::depolarizing(0.02).ops;
  noise.after_2q = q::depolarizing(0.05).ops;
  noise.idle_layer = q::thermal_relaxation(20e-6, 15e-6, 2e-6).ops;
  const auto noisy = q::NoisyRegisterModel(noise, 3).probabilities(layout, 2, a, R, &fid);
  for (std::size_t r = 0; r < R; ++r) {
    double s = 0;
    for (std::size_t i = 0; i < dim; ++i) s += noisy[r * dim + i];
    CHECK(s == Approx(1.0).margin(1e-12));
    CHECK(fid[r] < 0.99);
    CHECK(fid[r] > 0.1);
  }
  // Weaker noise, higher fidelity.
  q::RegisterNoise weak = noise;
  weak.after_1q = q::depolarizing(0.002).ops;
  weak.after_2q = q::depolarizing(0.005).ops;
  weak.idle_layer = q::thermal_relaxation(20e-6, 15e-6, 0.2e-6).ops;
  std::vector<double> fid_weak;
  q::NoisyRegisterModel(weak, 3).probabilities(layout, 2, a, R, &fid_weak);
  for (std::size_t r = 0; r < R; ++r) CHECK(fid_weak[r] > fid[r]);
  // One qubit flipped to |1⟩ and left for t: P(1) = e^{-t/T1}, then readout flips.
  q::CircuitLayout one;
  one.qubits = 1;
  one.layers = 0;
  q::RegisterNoise relax;
  const double t1 = 30e-6, t = 12e-6;
  relax.idle_encoding = q::thermal_relaxation(t1, 25e-6, t).ops;
  relax.readout_p01 = 0.03;
  relax.readout_p10 = 0.07;
  const auto p1 = q::NoisyRegisterModel(relax, 1).probabilities(one, 0, {3.14159265358979323846}, 1, nullptr);
  const double decay = std::exp(-t / t1);
  CHECK(p1[1] == Approx(decay * (1 - 0.07) + (1 - decay) * 0.03).margin(1e-12));
  CHECK(p1[0] + p1[1] == Approx(1.0).margin(1e-12));
  // ρ is Hermitian with unit trace.
  const auto rho = q::run_density_matrix(layout, 2, a.data(), noise);
  double tr = 0;
  for (std::size_t i = 0; i < dim; ++i) {
    tr += rho[i * dim + i].real();
    for (std::size_t j = 0; j < dim; ++j) CHECK(std::abs(rho[i * dim + j] - std::conj(rho[j * dim + i])) < 1e-14);
  }
  CHECK(tr == Approx(1.0).margin(1e-12));
}

TEST_CASE("quantum router shots: deterministic per seed, histogram top-k, re-measurement", "[quantum][routers]") {
  const HostMatrix x = random_x(40, 6, 4);
  q::QuantumRouterOptions o;
  o.shots_mode = true;
  o.shots = 16;
  auto run = [&](std::uint64_t seed, std::uint64_t step, const q::QuantumRouterOptions& opt) {
    q::QuantumRouter r(spec_of(6, 4, 1, seed), opt);
    RouteContext ctx;
    ctx.step = step;
    r.forward(x, ctx);
    return std::make_tuple(r.last_choices(), r.last_counts(), r.last_shots(), r.last_state_probs());
  };
  const auto [c1, n1, s1, P] = run(7, 3, o);
  const auto [c2, n2, s2, P2] = run(7, 3, o);
  CHECK(c1 == c2);
  CHECK(n1 == n2);
  const auto [c3, n3, s3, P3] = run(7, 4, o);
  CHECK(n1 != n3);  // another step draws other shots
  // The counts are the documented Philox draws, token by token.
  const PhiloxKey key = layer_key(7, q::kRouterShotStream, 0);
  for (std::size_t t = 0; t < 40; ++t) {
    std::vector<std::int32_t> want(4, 0);
    q::sample_register_shots(&P[t * 4], 4, key, (std::uint64_t(3) << 20) + t, 0, 16, want.data());
    CHECK(std::vector<std::int32_t>(n1.begin() + std::ptrdiff_t(t * 4), n1.begin() + std::ptrdiff_t(t * 4 + 4)) == want);
    int best = 0;
    for (int e = 1; e < 4; ++e)
      if (want[std::size_t(e)] > want[std::size_t(best)]) best = e;
    CHECK(c1[t] == best);
    CHECK(s1[t] == 16);
  }
  // Re-measurement: every token whose margin is below 1 gets 4 × 16 more shots.
  o.remeasure_threshold = 1.0;
  const auto [c4, n4, s4, P4] = run(7, 3, o);
  for (std::size_t t = 0; t < 40; ++t) CHECK(s4[t] == 16 * 5);
}

TEST_CASE("decoherence manager: error by depth and the truncated measurement layer", "[quantum]") {
  q::DeviceErrorModel d;
  d.t1_s = 100e-6;
  d.t2_s = 80e-6;
  d.gate_time_1q_s = 50e-9;
  d.gate_time_2q_s = 400e-9;
  d.error_1q = 1e-3;
  d.error_2q = 1e-2;
  d.readout_p01 = 0.02;
  d.readout_p10 = 0.04;
  const unsigned n = 3;
  q::DecoherenceManager m(d, n, 6, 0.2);
  auto fidle = [&](double t) { return 0.5 + std::exp(-t / d.t1_s) / 6 + std::exp(-t / d.t2_s) / 3; };
  const double layer_s = 3 * 400e-9 + 2 * 50e-9;  // odd ring: depth 3
  CHECK(m.layer_duration_s() == Approx(layer_s));
  for (int L = 0; L <= 6; ++L) {
    const double f = std::pow(1 - 1e-3, n * (1 + 2 * L)) * std::pow(1 - 1e-2, 3 * L) * std::pow(fidle(50e-9), n) *
                     std::pow(fidle(layer_s), n * L) * std::pow(1 - 0.03, n);
    CHECK(m.error(L) == Approx(1 - f).epsilon(1e-12));
    if (L > 0) CHECK(m.error(L) > m.error(L - 1));
  }
  int expect = 0;
  for (int L = 0; L <= 6; ++L)
    if (m.error(L) <= 0.2) expect = L;
  CHECK(m.measurement_layer() == expect);
  CHECK(expect > 0);
  CHECK(expect < 6);  // the budget truncates the circuit
  CHECK(q::DecoherenceManager(d, n, 6, 1e-3).measurement_layer() == 0);
  CHECK(q::DecoherenceManager(q::DeviceErrorModel{}, n, 6, 1e-9).measurement_layer() == 6);
  // A router on a real preset measures where its manager says.
  q::QuantumRouterOptions o;
  o.layers = 8;
  o.noise = "ibm_sherbrooke";
  o.max_error = 0.08;
  q::QuantumRouter r(spec_of(4, 4, 1), o);
  CHECK(r.measurement_layer() == r.decoherence().measurement_layer());
  CHECK(r.measurement_layer() < 8);
  CHECK(r.decoherence().error(r.measurement_layer()) <= 0.08);
  CHECK(r.measurement_layer() > 0);
}

TEST_CASE("swarm-timed collapse: deterministic search within bounds, improving history", "[quantum]") {
  q::CircuitLayout layout;
  layout.qubits = 2;
  layout.layers = 3;
  const std::size_t T = 48, S = layout.slots();
  std::vector<double> a(T * S);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = 6 * Philox::uniform({12, 1}, i);
  q::BatchedSimulator<double> sim;
  q::CollapseFitnessData data;
  data.tokens = T;
  data.dim = 4;
  data.experts = 3;
  std::vector<double> ref;
  for (int m = 0; m <= 3; ++m) {
    auto st = sim.create(2, T);
    const auto table = sim.make_angles(a, T, S);
    sim.run(st, layout.program(m), &table);
    data.probs_by_layer.push_back(sim.probabilities_host(st));
    data.error_by_layer.push_back(0.02 * m);
  }
  for (std::size_t t = 0; t < T; ++t)
    data.reference_top.push_back(q::top_outcome(&data.probs_by_layer[3][t * 4], 4, 3, true));
  q::CollapseSettings s;
  s.budget = 60;
  s.population = 10;
  s.mu = 0.05;
  s.max_shots = 128;
  for (const char* algo : {"pso", "qpso"}) {
    s.optimizer = algo;
    q::CollapseScheduler a1(s), a2(s);
    const auto r1 = a1.search(data, 5);
    const auto r2 = a2.search(data, 5);
    CHECK(r1.layer == r2.layer);
    CHECK(r1.shots == r2.shots);
    CHECK(r1.threshold == r2.threshold);
    CHECK(a1.fitness() == a2.fitness());
    CHECK(r1.layer >= 0);
    CHECK(r1.layer <= 3);
    CHECK(r1.shots >= s.min_shots);
    CHECK(r1.shots <= s.max_shots);
    for (std::size_t i = 1; i < a1.history().size(); ++i) CHECK(a1.history()[i] <= a1.history()[i - 1]);
    // The fitness is the documented sum of its parts.
    q::CollapseProblem p(data, s, 5);
    double spt = 0;
    const double agree = p.agreement(r1, &spt);
    CHECK(a1.fitness() == Approx((1 - agree) + s.lambda * 0.02 * r1.layer + s.mu * spt / 128.0));
    // At the reference depth with the most shots the agreement is high.
    q::CollapseSchedule full{3, 128, 0.0};
    CHECK(p.agreement(full) > 0.8);
  }
}

TEST_CASE("quantum router options: bad values are usage errors naming the key", "[quantum][routers]") {
  auto msg = [](const std::vector<std::pair<std::string, std::string>>& kv) {
    const Config c = quantum_config(kv);
    RouterSpec s = spec_of(4, 4, 1);
    s.config = &c;
    return testing::usage_message([&] { q::QuantumRouter r(s); });
  };
  CHECK(msg({{"quantum.collapse_every", "5"}}).find("quantum.collapse_every") != std::string::npos);
  CHECK(msg({{"quantum.noise", "no_such_device"}}).find("no_such_device") != std::string::npos);
  CHECK(msg({{"quantum.qubits", "1"}}).find("quantum.qubits") != std::string::npos);
  CHECK(msg({{"quantum.noise", "ibm_sherbrooke"}, {"quantum.qubits", "7"}}).find("quantum.qubits") !=
        std::string::npos);
  CHECK(msg({{"quantum.mode", "shots"}, {"quantum.collapse_every", "5"}, {"quantum.collapse_min_shots", "300"}})
            .find("quantum.collapse_min_shots") != std::string::npos);
  CHECK(msg({{"quantum.mode", "shots"}, {"quantum.layers", "3"}}) == "(no UsageError)");
}

TEST_CASE("moesim run: the quantum router learns next to switch and soft_moe and traces substrate/quantum",
          "[quantum][routers][trace]") {
  using namespace moesim::testing;
  const auto dir = temp_dir("quantum_router_trace");
  const std::string out = (dir / "q.h5").string();
  const std::string ini = (dir / "q.ini").string();
  {
    std::ofstream f(ini);
    f << "[experiment]\nvariants = quantum, quantum_shots, switch, soft_moe\n"
         "[data]\nexamples = 1500\ndim = 8\n"
         "[model]\nexperts = 4\nd_model = 16\nd_ff = 16\nlayers = 1\n"
         "[train]\nsteps = 60\nbatch_size = 64\n"
         "[quantum]\nhistogram_every = 20\n"
         "[variant.quantum_shots]\nrouter = quantum\nquantum.mode = shots\nquantum.shots = 32\n"
         "quantum.remeasure_threshold = 0.2\nquantum.collapse_every = 30\nquantum.collapse_budget = 24\n"
         "quantum.collapse_population = 6\nquantum.collapse_tokens = 32\n";
  }
  const auto r = run_moesim({"run", "--config", ini, "--output", out});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  H5File f(out);
  CHECK(f.string_attr("/runs/quantum", "substrate") == "quantum");
  // It learns: test accuracy far above chance (4 classes) and the loss falls.
  for (const char* v : {"quantum", "quantum_shots"}) {
    CAPTURE(v);
    const auto acc = f.doubles(std::string("/runs/") + v + "/test/accuracy");
    REQUIRE(acc.size() == 1);
    CHECK(acc[0] > 0.5);
    const auto loss = f.doubles(std::string("/runs/") + v + "/train/loss");
    double first = 0, last = 0;
    for (int i = 0; i < 10; ++i) {
      first += loss[std::size_t(i)];
      last += loss[loss.size() - 1 - std::size_t(i)];
    }
    CHECK(last < first);
  }
  const std::string g = "/runs/quantum/substrate/quantum";
  for (const char* m : {"step", "seed", "layer", "measurement_layer", "shots_per_token", "remeasured_fraction",
                        "fidelity", "routing_entropy", "decoherence_error"}) {
    CAPTURE(m);
    REQUIRE(f.exists(g + "/" + m));
    CHECK(f.shape(g + "/" + m) == std::vector<hsize_t>{60});
    CHECK(f.string_array_attr(g + "/" + m, "dims") == std::vector<std::string>{"record"});
    CHECK_FALSE(f.string_attr(g + "/" + m, "units").empty());
  }
  CHECK(f.string_attr(g + "/routing_entropy", "units") == "nat");
  // Histograms at steps 1, 20, 40, 60 over the 4 basis states; exact mode:
  // expected counts summing to the batch.
  CHECK(f.shape(g + "/histogram") == std::vector<hsize_t>{4, 4});
  CHECK(f.string_array_attr(g + "/histogram", "dims") == std::vector<std::string>{"snapshot", "basis_state"});
  const auto h = f.doubles(g + "/histogram");
  CHECK(h[0] + h[1] + h[2] + h[3] == Approx(64.0));
  const std::string gs = "/runs/quantum_shots/substrate/quantum";
  const auto shots = f.doubles(gs + "/shots_per_token");
  CHECK(shots[0] >= 32.0);
  const auto hs = f.doubles(gs + "/histogram");
  CHECK(hs[0] + hs[1] + hs[2] + hs[3] >= 64.0 * 32);
  // Two collapse searches (steps 30, 60) with their fitness history.
  REQUIRE(f.exists(gs + "/collapse/fitness_history"));
  CHECK(f.shape(gs + "/collapse/fitness")[0] == 2);
  CHECK(f.string_array_attr(gs + "/collapse/fitness_history", "dims") ==
        std::vector<std::string>{"search", "generation"});
  for (double s : f.doubles(gs + "/collapse/shots")) {
    CHECK(s >= 4);
    CHECK(s <= 256);
  }
  CHECK(f.exists("/runs/quantum/substrate/quantum/decoherence/error_by_layer"));
  CHECK_FALSE(f.exists("/runs/switch/substrate"));
}
