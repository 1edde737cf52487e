// Noise, measurement, dense k-qubit unitaries and the density-matrix path of
// the state-vector engine (issue 5): checked against the plain-loop oracles of
// models/quantum/reference.hpp, against analytic decay laws (check_values.md,
// "Qubit noise"), and density matrix against trajectory averages.
#include "core/error.hpp"
#include "core/philox.hpp"
#include "models/quantum/density_matrix.hpp"
#include "models/quantum/gates.hpp"
#include "models/quantum/measurement.hpp"
#include "models/quantum/noise.hpp"
#include "models/quantum/qubit_preset.hpp"
#include "models/quantum/reference.hpp"
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"
#include "models/quantum/unitary.hpp"
#include "quantum_test_util.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace q = moesim::quantum;
namespace g = moesim::quantum::gates;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;
using q::cplx;

using namespace moesim::testing;  // quantum_test_util.hpp

namespace {

using Space = q::StateSpace<double>;
using Sim = q::StateVectorSimulator<double>;
using DmSim = q::DensityMatrixSimulator<double>;
using StateD = Space::state_type;

std::vector<cplx> outer(const std::vector<cplx>& psi) {
  const std::size_t d = psi.size();
  std::vector<cplx> rho(d * d);
  for (std::size_t r = 0; r < d; ++r)
    for (std::size_t c = 0; c < d; ++c) rho[r * d + c] = psi[r] * std::conj(psi[c]);
  return rho;
}

// Writes `text` to a fresh temporary .ini file and returns its path.
std::string temp_preset(const std::string& stem, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "moesim_test_quantum_noise";
  std::filesystem::create_directories(dir);
  const auto path = dir / (stem + ".ini");
  std::ofstream(path) << text;
  return path.string();
}

const char* const kGoodQubit = R"([source]
citation = test preset
[qubit]
technology = test
t1_s = 100e-6
t2_s = 150e-6
gate_time_1q_s = 50e-9
gate_time_2q_s = 500e-9
measure_time_s = 1e-6
error_1q = 2e-4
error_2q = 8e-3
readout_p01 = 0.02
readout_p10 = 0.01
)";

}  // namespace

TEST_CASE("noise: every channel is trace preserving and has the documented action", "[quantum]") {
  for (double p : {0.0, 0.05, 0.5, 1.0}) {
    CHECK(q::is_trace_preserving(q::depolarizing(p), 1e-14));
    CHECK(q::is_trace_preserving(q::amplitude_damping(p), 1e-14));
    CHECK(q::is_trace_preserving(q::phase_damping(p), 1e-14));
  }
  for (double t : {0.0, 1e-6, 37e-6, 1e-3})
    for (double t2 : {10e-6, 80e-6, 100e-6}) CHECK(q::is_trace_preserving(q::thermal_relaxation(50e-6, t2, t), 1e-14));
  // A channel that is not trace preserving is recognised.
  q::KrausChannel broken = q::amplitude_damping(0.3);
  broken.ops.pop_back();
  CHECK_FALSE(q::is_trace_preserving(broken, 1e-6));

  CHECK_THROWS_AS(q::depolarizing(1.5), moesim::UsageError);
  CHECK_THROWS_AS(q::amplitude_damping(-0.1), moesim::UsageError);
  CHECK_THROWS_AS(q::thermal_relaxation(50e-6, 101e-6, 1e-6), moesim::UsageError);
  CHECK_THROWS_AS(q::thermal_relaxation(0.0, 1e-6, 1e-6), moesim::UsageError);
  CHECK_NOTHROW(q::thermal_relaxation(50e-6, 100e-6, 1e-6));  // T2 = 2 T1 is allowed

  // Depolarizing on the Bloch vector: r -> (1 − 4p/3) r (oracle: Σ K ρ K†).
  const double p = 0.3;
  std::vector<cplx> rho = outer({cplx(1 / std::sqrt(2.0), 0), cplx(1 / std::sqrt(2.0), 0)});  // |+⟩
  q::apply_kraus_reference(rho, 1, 0, q::depolarizing(p).ops);
  CHECK_THAT(2 * rho[1].real(), WithinAbs(1 - 4 * p / 3, 1e-15));
  CHECK_THAT(rho[0].real(), WithinAbs(0.5, 1e-15));
}

TEST_CASE("noise: dense k-qubit unitaries match the oracle and composed gates", "[quantum]") {
  Space space;
  Sim sim;
  Rng rng{{11, 3}};
  const unsigned n = 6;
  StateD st = space.create(n);

  SECTION("random unitaries on k = 1..5 targets, with and without controls, vs the oracle") {
    for (unsigned k = 1; k <= q::kMaxUnitaryQubits; ++k) {
      const auto u = random_unitary(rng, std::size_t{1} << k);
      CHECK(q::unitarity_error(u) < 1e-12);
      std::vector<unsigned> targets, controls;
      // targets in a scrambled order, then up to 1 control from the rest
      for (unsigned j = 0; j < k; ++j) targets.push_back((5 * j + 2) % n);  // 2, 1, 0, 5, 4
      for (unsigned c = 0; c < n && controls.empty(); ++c)
        if (std::find(targets.begin(), targets.end(), c) == targets.end() && k < 5) controls.push_back(c);
      auto psi = random_state(rng, n);
      load(space, st, psi);
      q::apply_unitary(sim, st, targets, u, controls);
      q::apply_gate_reference(psi, targets, u, controls);
      CHECK(max_diff(unload(space, st), psi) < 1e-13);
      CHECK_THAT(space.norm2(st), WithinAbs(1.0, 1e-13));  // unitarity: norm preserved
    }
  }

  SECTION("ccx as a 1-qubit x with two controls equals the 3-qubit permutation matrix") {
    std::vector<cplx> ccx(64, cplx(0, 0));  // targets (c0, c1, t): local index c0 + 2 c1 + 4 t
    for (std::size_t col = 0; col < 8; ++col) {
      const std::size_t row = (col & 3) == 3 ? col ^ 4 : col;
      ccx[row * 8 + col] = 1.0;
    }
    auto psi = random_state(rng, n);
    StateD a = space.create(n), b = space.create(n);
    load(space, a, psi);
    load(space, b, psi);
    q::apply_unitary(sim, a, {4, 1, 2}, ccx);
    sim.apply_controlled_gate(b, {4, 1}, 2, g::x());
    CHECK(max_diff(unload(space, a), unload(space, b)) < 1e-15);
  }

  SECTION("a 2-qubit unitary built from gates equals the same gates applied in turn") {
    // U = cx(0->1) · (h ⊗ t): local index bit(q0) + 2 bit(q1)
    std::vector<cplx> ht(16, cplx(0, 0));
    const auto h = g::h(), t = g::t();
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) ht[4 * r + c] = h.m[2 * (r & 1) + (c & 1)] * t.m[2 * (r >> 1) + (c >> 1)];
    const auto cx = g::cx();
    std::vector<cplx> u(16, cplx(0, 0));
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c)
        for (int k = 0; k < 4; ++k) u[4 * r + c] += cx.m[4 * r + k] * ht[4 * k + c];
    auto psi = random_state(rng, n);
    StateD a = space.create(n), b = space.create(n);
    load(space, a, psi);
    load(space, b, psi);
    q::apply_unitary(sim, a, {5, 0}, u);
    sim.apply_gate(b, 5, h);
    sim.apply_gate(b, 0, t);
    sim.apply_gate2(b, 5, 0, cx);
    CHECK(max_diff(unload(space, a), unload(space, b)) < 1e-14);
  }

  SECTION("bad arguments") {
    const auto u = random_unitary(rng, 4);
    CHECK_THROWS_AS(q::apply_unitary(sim, st, {0, 0}, u), std::invalid_argument);
    CHECK_THROWS_AS(q::apply_unitary(sim, st, {0, 7}, u), std::invalid_argument);
    CHECK_THROWS_AS(q::apply_unitary(sim, st, {0}, u), std::invalid_argument);
    CHECK_THROWS_AS(q::apply_unitary(sim, st, {0, 1}, u, {1}), std::invalid_argument);
    auto bad = u;
    bad[0] *= 1.01;
    CHECK_THROWS_AS(q::apply_unitary(sim, st, {0, 1}, bad), std::invalid_argument);
  }
}

TEST_CASE("noise: measurement collapses and is deterministic for a seed with the right statistics",
          "[quantum]") {
  Space space;
  Sim sim;

  SECTION("Bell state: measuring one qubit fixes the other") {
    for (double u : {0.1, 0.49, 0.51, 0.9}) {
      StateD st = space.create(2);
      sim.apply_gate(st, 0, g::h());
      sim.apply_gate2(st, 0, 1, g::cx());
      CHECK_THAT(q::probability_one(space, st, 1), WithinAbs(0.5, 1e-15));
      const int b = q::measure_qubit(space, st, 1, u);
      CHECK(b == (u < 0.5 ? 0 : 1));
      CHECK_THAT(space.norm2(st), WithinAbs(1.0, 1e-15));
      CHECK_THAT(q::probability_one(space, st, 0), WithinAbs(double(b), 1e-15));
      const auto amps = unload(space, st);
      CHECK_THAT(std::abs(amps[b ? 3 : 0]), WithinAbs(1.0, 1e-15));
    }
  }

  SECTION("reset puts the qubit in |0⟩ and keeps the rest") {
    StateD st = space.create(3);
    sim.apply_gate(st, 0, g::ry(1.1));
    sim.apply_gate(st, 2, g::h());
    sim.apply_gate2(st, 0, 1, g::cx());
    const int b = q::reset_qubit(space, st, 0, 0.99);  // P(0) = cos²(0.55) ≈ 0.73 → outcome 1
    CHECK(b == 1);
    CHECK_THAT(q::probability_one(space, st, 0), WithinAbs(0.0, 1e-15));
    CHECK_THAT(q::probability_one(space, st, 1), WithinAbs(1.0, 1e-15));  // qubit 1 was copied from 0
    CHECK_THAT(q::probability_one(space, st, 2), WithinAbs(0.5, 1e-15));
    CHECK_THAT(space.norm2(st), WithinAbs(1.0, 1e-15));
  }

  SECTION("outcome frequencies over many draws follow P(1); same key, same outcomes") {
    const double theta = 2.0;  // P(1) = sin²(1) ≈ 0.708
    const double p1 = std::sin(theta / 2) * std::sin(theta / 2);
    const int shots = 4000;
    auto run = [&](moesim::PhiloxKey key) {
      std::vector<int> out;
      StateD st = space.create(3);
      for (int s = 0; s < shots; ++s) {
        space.set_basis_state(st, 0);
        sim.apply_gate(st, 1, g::ry(theta));
        out.push_back(q::measure_qubit(space, st, 1, moesim::Philox::uniform(key, s)));
      }
      return out;
    };
    const moesim::PhiloxKey key{42, q::kNoiseStream};
    const auto a = run(key), b = run(key), c = run({43, q::kNoiseStream});
    CHECK(a == b);
    CHECK(a != c);
    double ones = 0;
    for (int x : a) ones += x;
    const double sigma = std::sqrt(p1 * (1 - p1) / shots);
    CHECK(std::abs(ones / shots - p1) < 4 * sigma);
  }

  SECTION("readout error flips with the given probabilities") {
    CHECK(q::apply_readout_error(0, 0.1, 0.2, 0.05) == 1);
    CHECK(q::apply_readout_error(0, 0.1, 0.2, 0.15) == 0);
    CHECK(q::apply_readout_error(1, 0.1, 0.2, 0.15) == 0);
    CHECK(q::apply_readout_error(1, 0.1, 0.2, 0.25) == 1);
    CHECK_THROWS_AS(q::apply_readout_error(0, 1.1, 0.0, 0.5), std::invalid_argument);
  }
}

TEST_CASE("noise: the density matrix of a noiseless circuit is |ψ⟩⟨ψ| and gates match the oracle",
          "[quantum]") {
  Space space;
  Sim sim;
  DmSim dms;
  Rng rng{{5, 9}};
  const unsigned n = 4;
  // A circuit on both paths: random 1q gates, cx, controlled gate, 3-qubit unitary.
  StateD psi = space.create(n);
  auto dm = dms.create(n);
  const auto u1 = random_unitary(rng, 2);
  const q::Gate1 r1{{u1[0], u1[1], u1[2], u1[3]}};
  const auto u3 = random_unitary(rng, 8);
  for (unsigned qb = 0; qb < n; ++qb) {
    sim.apply_gate(psi, qb, g::h());
    dms.apply_gate(dm, qb, g::h());
  }
  sim.apply_gate(psi, 2, r1);
  dms.apply_gate(dm, 2, r1);
  sim.apply_gate2(psi, 2, 0, g::cx());
  dms.apply_gate2(dm, 2, 0, g::cx());
  sim.apply_controlled_gate(psi, {0, 3}, 1, g::ry(0.7));
  dms.apply_controlled_gate(dm, {0, 3}, 1, g::ry(0.7));
  q::apply_unitary(sim, psi, {3, 1, 0}, u3);
  dms.apply_unitary(dm, {3, 1, 0}, u3);

  CHECK(max_diff(dms.to_host(dm), outer(unload(space, psi))) < 1e-14);
  CHECK_THAT(dms.trace(dm), WithinAbs(1.0, 1e-14));
  CHECK_THAT(dms.purity(dm), WithinAbs(1.0, 1e-14));
  CHECK_THAT(dms.fidelity(dm, psi), WithinAbs(1.0, 1e-14));
  const auto p = space.probabilities(psi);
  const auto pd = dms.probabilities(dm);
  for (std::size_t i = 0; i < pd.size(); ++i) CHECK_THAT(pd[i], WithinAbs(p(i), 1e-14));
  for (unsigned qb = 0; qb < n; ++qb)
    CHECK_THAT(dms.probability_one(dm, qb), WithinAbs(q::probability_one(space, psi, qb), 1e-14));
  // from_state gives the same matrix.
  CHECK(max_diff(dms.to_host(dms.from_state(psi)), dms.to_host(dm)) < 1e-14);

  // Channels vs the oracle (Σ K ρ K† by plain matrix products).
  auto rho = dms.to_host(dm);
  dms.apply_channel(dm, 1, q::thermal_relaxation(30e-6, 20e-6, 7e-6));
  q::apply_kraus_reference(rho, n, 1, q::thermal_relaxation(30e-6, 20e-6, 7e-6).ops);
  dms.apply_channel(dm, 3, q::depolarizing(0.2));
  q::apply_kraus_reference(rho, n, 3, q::depolarizing(0.2).ops);
  const q::Gate2 cz = g::cz();
  dms.apply_gate2(dm, 3, 1, cz);
  q::apply_to_density_reference(rho, n, {3, 1}, std::vector<cplx>(cz.m, cz.m + 16));
  CHECK(max_diff(dms.to_host(dm), rho) < 1e-14);
  CHECK_THAT(dms.trace(dm), WithinAbs(1.0, 1e-14));
  CHECK(dms.purity(dm) < 1.0 - 1e-3);

  CHECK_THROWS_AS(dms.create(q::kMaxDensityQubits + 1), moesim::UsageError);
  CHECK_NOTHROW(dms.create(q::kMaxDensityQubits));
}

TEST_CASE("noise: P(1) = exp(-t/T1) and |rho01| = exp(-t/T2)/2 (density matrix exact)", "[quantum]") {
  DmSim dms;
  const double t1 = 80e-6, t2 = 60e-6;
  for (unsigned n : {1u, 2u, 3u}) {
    for (double t : {0.0, 5e-6, 40e-6, 200e-6}) {
      const auto idle = q::thermal_relaxation(t1, t2, t);
      const unsigned qb = n - 1;
      auto dm = dms.create(n);
      dms.apply_gate(dm, qb, g::x());
      dms.apply_channel(dm, qb, idle);
      CHECK_THAT(dms.probability_one(dm, qb), WithinAbs(std::exp(-t / t1), 1e-12));

      auto plus = dms.create(n);
      dms.apply_gate(plus, qb, g::h());
      dms.apply_channel(plus, qb, idle);
      const auto rho = dms.to_host(plus);
      const std::size_t d = plus.dim(), b = std::size_t{1} << qb;
      CHECK_THAT(std::abs(rho[0 * d + b]), WithinAbs(0.5 * std::exp(-t / t2), 1e-12));
    }
  }
  // Two idles of t equal one of 2t (the channel is a semigroup in t).
  auto a = dms.create(1), b = dms.create(1);
  dms.apply_gate(a, 0, g::u3(1.0, 0.3, 0.0));
  dms.apply_gate(b, 0, g::u3(1.0, 0.3, 0.0));
  dms.apply_channel(a, 0, q::thermal_relaxation(t1, t2, 13e-6));
  dms.apply_channel(a, 0, q::thermal_relaxation(t1, t2, 13e-6));
  dms.apply_channel(b, 0, q::thermal_relaxation(t1, t2, 26e-6));
  CHECK(max_diff(dms.to_host(a), dms.to_host(b)) < 1e-15);
}

TEST_CASE("noise: trajectories reproduce T1 decay within 4 sigma and are deterministic", "[quantum]") {
  Space space;
  Sim sim;
  const double t1 = 50e-6, t2 = 70e-6, t = 30e-6;
  const auto idle = q::thermal_relaxation(t1, t2, t);
  const double p_expected = std::exp(-t / t1);
  const int trajectories = 4000;
  for (unsigned n : {1u, 2u, 3u}) {
    const moesim::PhiloxKey key{1234 + n, q::kNoiseStream};
    auto run = [&]() {
      std::vector<int> bits;
      StateD st = space.create(n);
      for (int s = 0; s < trajectories; ++s) {
        space.set_basis_state(st, 0);
        for (unsigned qb = 0; qb < n; ++qb) sim.apply_gate(st, qb, g::x());
        q::apply_channel_trajectory(space, st, 0, idle, moesim::Philox::uniform(key, 2 * s));
        REQUIRE_THAT(space.norm2(st), WithinAbs(1.0, 1e-13));
        bits.push_back(q::measure_qubit(space, st, 0, moesim::Philox::uniform(key, 2 * s + 1)));
      }
      return bits;
    };
    const auto bits = run();
    if (n == 3) CHECK(bits == run());  // same key, same trajectories (once: kernels are launched per step)
    double ones = 0;
    for (int x : bits) ones += x;
    const double sigma = std::sqrt(p_expected * (1 - p_expected) / trajectories);
    INFO("n = " << n << ": P(1) " << ones / trajectories << ", e^(-t/T1) " << p_expected << ", sigma " << sigma);
    CHECK(std::abs(ones / trajectories - p_expected) < 4 * sigma);
  }
  // Coherence: from |+⟩, the trajectory average of ⟨X⟩ = 2 Re ρ01 is e^(−t/T2).
  const moesim::PhiloxKey key{99, q::kNoiseStream};
  double sum = 0, sq = 0;
  StateD st = space.create(2);
  for (int s = 0; s < trajectories; ++s) {
    space.set_basis_state(st, 0);
    sim.apply_gate(st, 1, g::h());
    q::apply_channel_trajectory(space, st, 1, idle, moesim::Philox::uniform(key, s));
    const double x = space.expectation_pauli(st, "XI");
    sum += x;
    sq += x * x;
  }
  const double mean = sum / trajectories;
  const double se = std::sqrt(std::max(sq / trajectories - mean * mean, 0.0) / trajectories);
  INFO("<X> " << mean << " ± " << se << ", e^(-t/T2) " << std::exp(-t / t2));
  CHECK(std::abs(mean - std::exp(-t / t2)) < 4 * se);
}

TEST_CASE("noise: float registers give the same physics", "[quantum]") {
  q::StateSpace<float> space;
  q::StateVectorSimulator<float> sim;
  q::DensityMatrixSimulator<float> dms;
  auto st = space.create(2);
  sim.apply_gate(st, 0, g::h());
  sim.apply_gate2(st, 0, 1, g::cx());
  CHECK_THAT(q::probability_one(space, st, 1), WithinAbs(0.5, 1e-6));
  CHECK(q::apply_channel_trajectory(space, st, 0, q::amplitude_damping(1.0), 0.7) == 1);  // K1 = |0⟩⟨1|: |11⟩ → |10⟩
  CHECK_THAT(space.norm2(st), WithinAbs(1.0, 1e-6));
  CHECK(q::measure_qubit(space, st, 0, 0.99) == 0);
  CHECK_THAT(q::probability_one(space, st, 1), WithinAbs(1.0, 1e-6));
  auto dm = dms.create(2);
  dms.apply_gate(dm, 1, g::x());
  dms.apply_channel(dm, 1, q::thermal_relaxation(1.0, 1.5, 0.5));
  CHECK_THAT(dms.probability_one(dm, 1), WithinAbs(std::exp(-0.5), 1e-6));
  CHECK_THAT(dms.trace(dm), WithinAbs(1.0, 1e-6));
}

TEST_CASE("noise: noisy GHZ-3 density matrix vs trajectory average", "[quantum]") {
  Space space;
  Sim sim;
  DmSim dms;
  const unsigned n = 3;
  const auto dep1 = q::depolarizing(0.05), dep2 = q::depolarizing(0.08);
  const auto idle = q::thermal_relaxation(40e-6, 30e-6, 4e-6);

  auto dm = dms.create(n);
  dms.apply_gate(dm, 0, g::h());
  dms.apply_channel(dm, 0, dep1);
  for (unsigned qb = 1; qb < n; ++qb) {
    dms.apply_gate2(dm, qb - 1, qb, g::cx());
    dms.apply_channel(dm, qb - 1, dep2);
    dms.apply_channel(dm, qb, dep2);
  }
  for (unsigned qb = 0; qb < n; ++qb) dms.apply_channel(dm, qb, idle);
  StateD ghz = space.create(n);
  sim.apply_gate(ghz, 0, g::h());
  for (unsigned qb = 1; qb < n; ++qb) sim.apply_gate2(ghz, qb - 1, qb, g::cx());
  const double f_dm = dms.fidelity(dm, ghz);
  const auto p_dm = dms.probabilities(dm);
  CHECK_THAT(dms.trace(dm), WithinAbs(1.0, 1e-14));

  const int trajectories = 3000;
  const moesim::PhiloxKey key{77, q::kNoiseStream};
  std::uint64_t counter = 0;
  auto u = [&] { return moesim::Philox::uniform(key, counter++); };
  std::vector<double> p_sum(std::size_t{1} << n, 0.0), p_sq(std::size_t{1} << n, 0.0);
  double f_sum = 0, f_sq = 0;
  StateD st = space.create(n);
  for (int s = 0; s < trajectories; ++s) {
    space.set_basis_state(st, 0);
    sim.apply_gate(st, 0, g::h());
    q::apply_channel_trajectory(space, st, 0, dep1, u());
    for (unsigned qb = 1; qb < n; ++qb) {
      sim.apply_gate2(st, qb - 1, qb, g::cx());
      q::apply_channel_trajectory(space, st, qb - 1, dep2, u());
      q::apply_channel_trajectory(space, st, qb, dep2, u());
    }
    for (unsigned qb = 0; qb < n; ++qb) q::apply_channel_trajectory(space, st, qb, idle, u());
    const double f = space.fidelity(ghz, st);
    f_sum += f;
    f_sq += f * f;
    const auto p = space.probabilities(st);
    for (std::size_t i = 0; i < p_sum.size(); ++i) {
      p_sum[i] += p(i);
      p_sq[i] += p(i) * p(i);
    }
  }
  auto within = [&](double sum, double sq, double exact) {
    const double mean = sum / trajectories;
    const double var = std::max(sq / trajectories - mean * mean, 0.0);
    const double se = std::sqrt(var / trajectories);
    INFO("trajectory mean " << mean << " ± " << se << ", density matrix " << exact);
    CHECK(std::abs(mean - exact) <= 4 * se + 1e-12);
  };
  within(f_sum, f_sq, f_dm);
  for (std::size_t i = 0; i < p_sum.size(); ++i) within(p_sum[i], p_sq[i], p_dm[i]);
  CHECK(f_dm < 0.95);  // the noise is visible
  CHECK(f_dm > 0.4);
}

TEST_CASE("noise: qubit presets load and validate and build channels", "[quantum]") {
  SECTION("shipped presets") {
    const auto names = q::available_qubit_presets();
    REQUIRE(names.size() >= 2);
    for (const auto& name : names) {
      INFO(name);
      const auto p = q::load_qubit_preset(name);
      CHECK(p.t2_s <= 2 * p.t1_s);
      CHECK_FALSE(p.source.empty());
      CHECK(q::is_trace_preserving(q::gate_error_channel(p, 1), 1e-14));
      CHECK(q::is_trace_preserving(q::gate_error_channel(p, 2), 1e-14));
      CHECK(q::is_trace_preserving(q::idle_channel(p, p.gate_time_2q_s), 1e-14));
    }
  }

  SECTION("a good file; gate_error_channel reproduces the average infidelity") {
    const auto p = q::load_qubit_preset(temp_preset("qubit_good", kGoodQubit));
    CHECK(p.name == "good");
    CHECK(p.t1_s == 100e-6);
    CHECK(p.readout_p01 == 0.02);
    CHECK(p.technology == "test");
    // Average gate fidelity of a channel: F = (Σ_i |Tr K_i|² / d + 1) / (d + 1) with d = 2.
    const auto ch1 = q::gate_error_channel(p, 1);
    double tr2 = 0;
    for (const auto& k : ch1.ops) tr2 += std::norm(k.m[0] + k.m[3]);
    CHECK_THAT(1 - (tr2 / 2 + 1) / 3, WithinAbs(p.error_1q, 1e-15));
    // Two qubits, product channel: process fidelity (1 − p)², F_avg = (4 F_pro + 1) / 5.
    const auto ch2 = q::gate_error_channel(p, 2);
    const double f_pro = std::norm(ch2.ops[0].m[0]) * std::norm(ch2.ops[0].m[0]);
    CHECK_THAT(1 - (4 * f_pro + 1) / 5, WithinAbs(p.error_2q, 1e-15));
    CHECK_THROWS_AS(q::gate_error_channel(p, 3), moesim::UsageError);
    const auto idle = q::idle_channel(p, 1e-6);
    CHECK_THAT(std::norm(idle.ops[1].m[1]), WithinAbs(1 - std::exp(-1e-6 / p.t1_s), 1e-15));
  }

  SECTION("bad files are DataErrors naming the file, section and key") {
    auto expect_data_error = [](const std::string& stem, const std::string& text, const std::string& what) {
      const std::string path = temp_preset(stem, text);
      INFO(stem);
      CHECK_THROWS_WITH(q::load_qubit_preset(path), ContainsSubstring(path) && ContainsSubstring(what));
      CHECK_THROWS_AS(q::load_qubit_preset(path), moesim::DataError);
    };
    auto replace = [](std::string s, const std::string& from, const std::string& to) {
      return s.replace(s.find(from), from.size(), to);
    };
    const std::string good = kGoodQubit;
    expect_data_error("qubit_t2", replace(good, "t2_s = 150e-6", "t2_s = 250e-6"), "t2_s");
    expect_data_error("qubit_missing", replace(good, "t1_s = 100e-6\n", ""), "[qubit] t1_s");
    expect_data_error("qubit_nan", replace(good, "error_1q = 2e-4", "error_1q = abc"), "[qubit] error_1q");
    expect_data_error("qubit_range", replace(good, "readout_p10 = 0.01", "readout_p10 = 1.5"), "[qubit] readout_p10");
    expect_data_error("qubit_zero", replace(good, "gate_time_1q_s = 50e-9", "gate_time_1q_s = 0"),
                      "[qubit] gate_time_1q_s");
    expect_data_error("qubit_unknown", good + "t3_s = 1\n", "[qubit] t3_s");
    expect_data_error("qubit_nosource", replace(good, "citation = test preset\n", ""), "[source] citation");
  }

  SECTION("unknown preset names are UsageErrors listing the available ones") {
    CHECK_THROWS_AS(q::load_qubit_preset("no_such_device"), moesim::UsageError);
    const auto names = q::available_qubit_presets();
    REQUIRE_FALSE(names.empty());
    CHECK_THROWS_WITH(q::load_qubit_preset("no_such_device"),
                      ContainsSubstring("no_such_device") && ContainsSubstring(names.front()));
  }
}

#ifdef KOKKOS_ENABLE_SERIAL
TEST_CASE("noise: reductions are bit-identical on Serial and on the default host space", "[quantum]") {
  // 14 qubits: 8192 pairs, i.e. two reduction blocks, summed in index order on both.
  Space space;
  q::StateSpace<double, Kokkos::HostSpace, Kokkos::Serial> serial;
  Rng rng{{3, 3}};
  StateD st = space.create(14);
  load(space, st, random_state(rng, 14));
  for (unsigned qb : {0u, 7u, 13u}) {
    const auto a = q::reduced_density_matrix(space, st, qb);
    const auto b = q::reduced_density_matrix(serial, st, qb);
    for (int e = 0; e < 4; ++e) CHECK(a[e] == b[e]);
  }
  DmSim dms;
  q::DensityMatrixSimulator<double, Kokkos::HostSpace, Kokkos::Serial> dms_serial;
  StateD psi = space.create(7);
  load(space, psi, random_state(rng, 7));
  auto dm = dms.from_state(psi);
  dms.apply_channel(dm, 3, q::depolarizing(0.1));
  CHECK(dms.fidelity(dm, psi) == dms_serial.fidelity(dm, psi));
  CHECK(dms.trace(dm) == dms_serial.trace(dm));
  CHECK(dms.probability_one(dm, 5) == dms_serial.probability_one(dm, 5));
}
#endif
