// State-vector engine (issue 5, first step): state space, gate kernels, gate
// matrices, sampling and Pauli expectations, checked against analytic states
// and against the plain-loop oracle of models/quantum/reference.hpp.
#include "core/philox.hpp"
#include "models/quantum/gates.hpp"
#include "models/quantum/reference.hpp"
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"
#include "quantum_test_util.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <cmath>
#include <complex>
#include <cstdint>
#include <map>
#include <vector>

namespace q = moesim::quantum;
namespace g = moesim::quantum::gates;
using q::cplx;
using Catch::Matchers::WithinAbs;

using namespace moesim::testing;  // quantum_test_util.hpp

namespace {

using Space = q::StateSpace<double>;
using Sim = q::StateVectorSimulator<double>;
using StateD = Space::state_type;
constexpr double kPi = g::kPi;

q::Gate1 random_gate1(Rng& rng) {
  const auto m = random_unitary(rng, 2);
  q::Gate1 out;
  for (int e = 0; e < 4; ++e) out.m[e] = m[e];
  return out;
}
q::Gate2 random_gate2(Rng& rng) {
  const auto m = random_unitary(rng, 4);
  q::Gate2 out;
  for (int e = 0; e < 16; ++e) out.m[e] = m[e];
  return out;
}

q::Gate1 mul(const q::Gate1& a, const q::Gate1& b) {
  q::Gate1 c;
  for (int r = 0; r < 2; ++r)
    for (int k = 0; k < 2; ++k) c.m[2 * r + k] = a.m[2 * r] * b.m[k] + a.m[2 * r + 1] * b.m[2 + k];
  return c;
}
double diff1(const q::Gate1& a, const q::Gate1& b) {
  double m = 0;
  for (int e = 0; e < 4; ++e) m = std::max(m, std::abs(a.m[e] - b.m[e]));
  return m;
}
template <std::size_t D>
double unitarity_error(const cplx (&m)[D * D]) {
  double err = 0;
  for (std::size_t r = 0; r < D; ++r)
    for (std::size_t c = 0; c < D; ++c) {
      cplx s = 0;
      for (std::size_t k = 0; k < D; ++k) s += std::conj(m[k * D + r]) * m[k * D + c];
      err = std::max(err, std::abs(s - cplx(r == c ? 1.0 : 0.0, 0.0)));
    }
  return err;
}

// Textbook QFT in Qiskit's bit order: |j⟩ -> Σ_k e^{2πi jk/N}/√N |k⟩.
void qft(const Sim& sim, StateD& st) {
  const unsigned n = st.num_qubits;
  for (int t = int(n) - 1; t >= 0; --t) {
    sim.apply_gate(st, unsigned(t), g::h());
    for (int c = t - 1; c >= 0; --c) sim.apply_gate2(st, unsigned(c), unsigned(t), g::cp(kPi / double(1u << (t - c))));
  }
  for (unsigned i = 0; i < n / 2; ++i) sim.apply_gate2(st, i, n - 1 - i, g::swap());
}

}  // namespace

TEST_CASE("qelib1 gate matrices are unitary and satisfy known identities", "[quantum]") {
  const std::vector<q::Gate1> ones = {g::u3(0.3, -1.2, 2.1), g::u(1.1, 0.2, -0.7), g::u2(0.4, 1.3), g::u1(0.9),
                                      g::p(-0.5), g::rx(0.7), g::ry(-1.9), g::rz(2.5), g::h(), g::x(), g::y(),
                                      g::z(), g::s(), g::sdg(), g::t(), g::tdg(), g::sx(), g::sxdg()};
  for (const auto& u : ones) CHECK(unitarity_error<2>(u.m) < 1e-14);
  const std::vector<q::Gate2> twos = {g::cx(), g::cy(), g::cz(), g::swap(), g::cp(0.8), g::cu1(-0.3),
                                      g::crz(1.7), g::rzz(0.6), g::rxx(-2.2), g::crx(0.4), g::cry(1.2),
                                      g::cu(0.3, 0.5, 0.7, 0.9), g::ch()};
  for (const auto& u : twos) CHECK(unitarity_error<4>(u.m) < 1e-14);

  CHECK(diff1(g::u2(0, kPi), g::h()) < 1e-15);
  CHECK(diff1(g::u3(kPi, 0, kPi), g::x()) < 1e-15);
  CHECK(diff1(g::u3(kPi, kPi / 2, kPi / 2), g::y()) < 1e-15);
  CHECK(diff1(g::u3(0.7, -kPi / 2, kPi / 2), g::rx(0.7)) < 1e-15);
  CHECK(diff1(g::u3(0.7, 0, 0), g::ry(0.7)) < 1e-15);
  CHECK(diff1(mul(g::sx(), g::sx()), g::x()) < 1e-15);
  CHECK(diff1(mul(g::sxdg(), g::sx()), g::id()) < 1e-15);
  CHECK(diff1(mul(g::s(), g::s()), g::z()) < 1e-15);
  CHECK(diff1(mul(g::t(), g::t()), g::s()) < 1e-15);
  CHECK(diff1(mul(g::t(), g::tdg()), g::id()) < 1e-15);
  CHECK(diff1(mul(g::h(), mul(g::z(), g::h())), g::x()) < 1e-15);
  // rz(θ) = e^{-iθ/2} p(θ)
  q::Gate1 pz = g::p(1.3);
  for (auto& e : pz.m) e *= g::expi(-0.65);
  CHECK(diff1(pz, g::rz(1.3)) < 1e-15);
}

TEST_CASE("controlled gate convention: first qarg is the control (Qiskit)", "[quantum]") {
  Space space;
  Sim sim;
  auto st = space.create(2);
  space.set_basis_state(st, 1);  // qubit 0 = 1, bitstring "01"
  sim.apply_gate2(st, 0, 1, g::cx());
  auto v = unload(space, st);
  CHECK(std::abs(v[3] - cplx(1, 0)) < 1e-15);
  space.set_basis_state(st, 1);
  sim.apply_gate2(st, 1, 0, g::cx());  // control qubit 1 is 0: nothing happens
  v = unload(space, st);
  CHECK(std::abs(v[1] - cplx(1, 0)) < 1e-15);
  // crz(θ) on (0,1) with control 1: phase e^{iθ/2} on |11⟩
  space.set_basis_state(st, 3);
  sim.apply_gate2(st, 0, 1, g::crz(0.8));
  v = unload(space, st);
  CHECK(std::abs(v[3] - g::expi(0.4)) < 1e-15);
  // cy on |control=1, target=0⟩ = i|11⟩
  space.set_basis_state(st, 1);
  sim.apply_gate2(st, 0, 1, g::cy());
  v = unload(space, st);
  CHECK(std::abs(v[3] - cplx(0, 1)) < 1e-15);
}

TEST_CASE("Bell and GHZ states have the analytic amplitudes", "[quantum]") {
  Space space;
  Sim sim;
  const double r = 1.0 / std::sqrt(2.0);
  auto bell = space.create(2);
  sim.apply_gate(bell, 0, g::h());
  sim.apply_gate2(bell, 0, 1, g::cx());
  auto v = unload(space, bell);
  CHECK(std::abs(v[0] - cplx(r, 0)) < 1e-15);
  CHECK(std::abs(v[3] - cplx(r, 0)) < 1e-15);
  CHECK(std::abs(v[1]) < 1e-15);
  CHECK(std::abs(v[2]) < 1e-15);

  auto ghz = space.create(5);
  sim.apply_gate(ghz, 0, g::h());
  for (unsigned t = 1; t < 5; ++t) sim.apply_controlled_gate(ghz, {t - 1}, t, g::x());
  v = unload(space, ghz);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double expect = (i == 0 || i == 31) ? r : 0.0;
    CHECK(std::abs(v[i] - cplx(expect, 0)) < 1e-15);
  }
  CHECK_THAT(space.norm2(ghz), WithinAbs(1.0, 1e-15));

  // float instantiation gives the same state to float precision
  q::StateSpace<float> fspace;
  q::StateVectorSimulator<float> fsim;
  auto fb = fspace.create(2);
  fsim.apply_gate(fb, 0, g::h());
  fsim.apply_gate2(fb, 0, 1, g::cx());
  const auto fv = fspace.to_host(fb);
  CHECK(std::abs(fv[0].real() - r) < 1e-6);
  CHECK(std::abs(fv[3].real() - r) < 1e-6);
  CHECK(std::abs(fv[1].real()) + std::abs(fv[2].real()) < 1e-7);
}

TEST_CASE("QFT of a basis state gives e^{2πi jk/N}/√N", "[quantum]") {
  Space space;
  Sim sim;
  for (unsigned n : {3u, 4u}) {
    const std::size_t N = std::size_t{1} << n;
    auto st = space.create(n);
    for (std::size_t j = 0; j < N; ++j) {
      space.set_basis_state(st, j);
      qft(sim, st);
      const auto v = unload(space, st);
      double err = 0;
      for (std::size_t k = 0; k < N; ++k) {
        const cplx expect = g::expi(2 * kPi * double(j * k) / double(N)) / std::sqrt(double(N));
        err = std::max(err, std::abs(v[k] - expect));
      }
      INFO("n=" << n << " j=" << j);
      CHECK(err < 1e-12);
    }
  }
}

TEST_CASE("Kokkos gate kernels agree with the plain-loop reference", "[quantum]") {
  Space space;
  Sim sim;
  Rng rng{{20261123, 1}};
  const unsigned n = 5;
  auto st = space.create(n);
  double worst = 0;
  for (unsigned t = 0; t < n; ++t) {
    // dense single-qubit: a random unitary and a qelib1 gate
    for (const q::Gate1& u : {random_gate1(rng), g::u3(0.4, 1.1, -0.3)}) {
      auto ref = random_state(rng, n);
      load(space, st, ref);
      sim.apply_gate(st, t, u);
      q::apply_gate_reference(ref, t, u);
      worst = std::max(worst, max_diff(unload(space, st), ref));
    }
    // every single control, and every pair of controls
    for (unsigned c = 0; c < n; ++c) {
      if (c == t) continue;
      const auto u = random_gate1(rng);
      auto ref = random_state(rng, n);
      load(space, st, ref);
      sim.apply_controlled_gate(st, {c}, t, u);
      q::apply_gate_reference(ref, t, u, {c});
      worst = std::max(worst, max_diff(unload(space, st), ref));
      for (unsigned c2 = c + 1; c2 < n; ++c2) {
        if (c2 == t) continue;
        ref = random_state(rng, n);
        load(space, st, ref);
        sim.apply_controlled_gate(st, {c2, c}, t, u);
        q::apply_gate_reference(ref, t, u, {c, c2});
        worst = std::max(worst, max_diff(unload(space, st), ref));
      }
    }
    // dense two-qubit on every ordered pair
    for (unsigned b = 0; b < n; ++b) {
      if (b == t) continue;
      const auto u = random_gate2(rng);
      auto ref = random_state(rng, n);
      load(space, st, ref);
      sim.apply_gate2(st, t, b, u);
      q::apply_gate_reference(ref, t, b, u);
      worst = std::max(worst, max_diff(unload(space, st), ref));
    }
  }
  // diagonal gates on 1..3 qubits in mixed order, and apply_phase
  const std::vector<std::vector<unsigned>> sets = {{0}, {4}, {3, 1}, {0, 4}, {2, 0, 3}, {4, 1, 2}};
  for (const auto& qs : sets) {
    std::vector<cplx> d(std::size_t{1} << qs.size());
    for (auto& e : d) e = g::expi(2 * kPi * rng.uniform());
    auto ref = random_state(rng, n);
    load(space, st, ref);
    sim.apply_diagonal(st, qs, d);
    q::apply_diagonal_reference(ref, qs, d);
    worst = std::max(worst, max_diff(unload(space, st), ref));

    ref = random_state(rng, n);
    load(space, st, ref);
    sim.apply_phase(st, qs, 0.77);
    std::vector<cplx> pd(d.size(), cplx(1, 0));
    pd.back() = g::expi(0.77);
    q::apply_diagonal_reference(ref, qs, pd);
    worst = std::max(worst, max_diff(unload(space, st), ref));
  }
  CHECK(worst < 1e-12);
}

TEST_CASE("random circuits preserve norm and inner products", "[quantum]") {
  Space space;
  Sim sim;
  Rng rng{{7, 2}};
  const unsigned n = 13;  // 8192 amplitudes: more than one reduction block
  auto a = space.create(n), b = space.create(n);
  load(space, a, random_state(rng, n));
  load(space, b, random_state(rng, n));
  const auto before = space.inner_product(a, b);
  for (int gate = 0; gate < 120; ++gate) {
    const unsigned t = unsigned(rng.below(n));
    unsigned o = unsigned(rng.below(n - 1));
    if (o >= t) ++o;
    const auto kind = rng.below(4);
    if (kind == 0) {
      const auto u = random_gate1(rng);
      sim.apply_gate(a, t, u);
      sim.apply_gate(b, t, u);
    } else if (kind == 1) {
      const auto u = random_gate1(rng);
      sim.apply_controlled_gate(a, {o}, t, u);
      sim.apply_controlled_gate(b, {o}, t, u);
    } else if (kind == 2) {
      const auto u = random_gate2(rng);
      sim.apply_gate2(a, t, o, u);
      sim.apply_gate2(b, t, o, u);
    } else {
      const double th = rng.uniform();
      sim.apply_diagonal(a, {t, o}, {1.0, g::expi(th), g::expi(-th), g::expi(2 * th)});
      sim.apply_diagonal(b, {t, o}, {1.0, g::expi(th), g::expi(-th), g::expi(2 * th)});
    }
  }
  CHECK_THAT(space.norm2(a), WithinAbs(1.0, 1e-12));
  CHECK_THAT(space.norm2(b), WithinAbs(1.0, 1e-12));
  const auto after = space.inner_product(a, b);
  CHECK(std::abs(cplx(after.real(), after.imag()) - cplx(before.real(), before.imag())) < 1e-12);
  // the circuit did something: a is no longer close to where it started
  auto a0 = space.create(n);
  Rng rng0{{7, 2}};
  load(space, a0, random_state(rng0, n));
  CHECK(space.fidelity(a, a0) < 0.5);

  // normalise rescales to 1 and reports the old norm²
  sim.apply_diagonal(a, {0}, {2.0, 2.0});
  CHECK_THAT(space.normalise(a), WithinAbs(4.0, 1e-12));
  CHECK_THAT(space.norm2(a), WithinAbs(1.0, 1e-14));
}

TEST_CASE("large register: size_t indices and probabilities", "[quantum]") {
  Space space;
  Sim sim;
  const unsigned n = 20;
  auto st = space.create(n);
  for (unsigned t = 0; t < n; ++t) sim.apply_gate(st, t, g::h());
  const auto p = space.probabilities(st);
  auto hp = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p);
  const double expect = 1.0 / double(std::size_t{1} << n);
  double worst = 0;
  for (std::size_t i = 0; i < hp.extent(0); ++i) worst = std::max(worst, std::abs(hp(i) - expect));
  CHECK(worst < 1e-18);
  CHECK_THAT(space.norm2(st), WithinAbs(1.0, 1e-12));
  CHECK_THAT(space.expectation_pauli(st, "XXXXXXXXXXXXXXXXXXXX"), WithinAbs(1.0, 1e-12));
  CHECK_THAT(space.expectation_pauli(st, "ZIIIIIIIIIIIIIIIIIII"), WithinAbs(0.0, 1e-12));
}

TEST_CASE("Pauli string expectations (Qiskit order)", "[quantum]") {
  Space space;
  Sim sim;
  auto st = space.create(1);
  CHECK_THAT(space.expectation_pauli(st, "Z"), WithinAbs(1.0, 1e-15));
  sim.apply_gate(st, 0, g::h());
  CHECK_THAT(space.expectation_pauli(st, "X"), WithinAbs(1.0, 1e-15));
  CHECK_THAT(space.expectation_pauli(st, "Z"), WithinAbs(0.0, 1e-15));
  sim.apply_gate(st, 0, g::s());  // |+i⟩
  CHECK_THAT(space.expectation_pauli(st, "Y"), WithinAbs(1.0, 1e-15));
  CHECK_THAT(space.expectation_pauli(st, "X"), WithinAbs(0.0, 1e-15));

  auto two = space.create(2);
  space.set_basis_state(two, 1);  // bitstring "01": qubit 0 is 1
  CHECK_THAT(space.expectation_pauli(two, "IZ"), WithinAbs(-1.0, 1e-15));
  CHECK_THAT(space.expectation_pauli(two, "ZI"), WithinAbs(1.0, 1e-15));
  CHECK_THAT(space.expectation_pauli(two, "ZZ"), WithinAbs(-1.0, 1e-15));

  space.set_basis_state(two, 0);
  sim.apply_gate(two, 0, g::h());
  sim.apply_gate2(two, 0, 1, g::cx());
  CHECK_THAT(space.expectation_pauli(two, "ZZ"), WithinAbs(1.0, 1e-15));
  CHECK_THAT(space.expectation_pauli(two, "XX"), WithinAbs(1.0, 1e-15));
  CHECK_THAT(space.expectation_pauli(two, "YY"), WithinAbs(-1.0, 1e-15));
  CHECK_THAT(space.expectation_pauli(two, "ZI"), WithinAbs(0.0, 1e-15));
  CHECK_THAT(space.expectation_pauli(two, "XY"), WithinAbs(0.0, 1e-15));

  // random state: compare with ⟨ψ|Pψ⟩ built by the reference gate loop
  Rng rng{{99, 3}};
  const unsigned n = 4;
  auto r = space.create(n);
  const auto psi = random_state(rng, n);
  load(space, r, psi);
  for (const char* pauli : {"XZIY", "YYYY", "IXIZ", "ZIXY", "IIII", "YIII"}) {
    auto ppsi = psi;
    for (unsigned qb = 0; qb < n; ++qb) {
      const char c = pauli[n - 1 - qb];
      if (c == 'X') q::apply_gate_reference(ppsi, qb, g::x());
      if (c == 'Y') q::apply_gate_reference(ppsi, qb, g::y());
      if (c == 'Z') q::apply_gate_reference(ppsi, qb, g::z());
    }
    cplx expect = 0;
    for (std::size_t i = 0; i < psi.size(); ++i) expect += std::conj(psi[i]) * ppsi[i];
    INFO(pauli);
    CHECK(std::abs(expect.imag()) < 1e-14);
    CHECK_THAT(space.expectation_pauli(r, pauli), WithinAbs(expect.real(), 1e-13));
  }
  CHECK_THROWS_AS(space.expectation_pauli(r, "XZ"), std::invalid_argument);
  CHECK_THROWS_AS(space.expectation_pauli(r, "XZAI"), std::invalid_argument);
  CHECK_THROWS_AS(sim.apply_gate(r, 4, g::x()), std::invalid_argument);
  CHECK_THROWS_AS(sim.apply_gate2(r, 1, 1, g::cx()), std::invalid_argument);
  CHECK_THROWS_AS(sim.apply_controlled_gate(r, {2}, 2, g::x()), std::invalid_argument);
}

TEST_CASE("shot sampling is deterministic and follows the probabilities", "[quantum]") {
  Space space;
  Sim sim;
  // 3 qubits with probabilities 0.05, 0.10, 0.15, 0.20, 0.25, 0.15, 0.10, 0 (index 7 impossible)
  const std::vector<double> probs = {0.05, 0.10, 0.15, 0.20, 0.25, 0.15, 0.10, 0.0};
  std::vector<cplx> amps(8);
  for (std::size_t i = 0; i < 8; ++i) amps[i] = std::sqrt(probs[i]) * g::expi(0.3 * double(i));
  auto st = space.create(3);
  load(space, st, amps);
  const moesim::PhiloxKey key{12345, q::kSamplingStream};
  const std::uint64_t shots = 1000000;
  const auto s1 = space.sample(st, shots, key);
  const auto s2 = space.sample(st, shots, key);
  REQUIRE(s1.size() == shots);
  CHECK(s1 == s2);
  CHECK(space.sample(st, shots, {12346, q::kSamplingStream}) != s1);

  std::vector<double> counts(8, 0.0);
  std::uint64_t out_of_range = 0;
  for (auto s : s1) {
    if (s < 8) counts[s] += 1; else ++out_of_range;
  }
  CHECK(out_of_range == 0);
  CHECK(counts[7] == 0);
  // Pearson chi-square over the 7 possible outcomes (6 degrees of freedom);
  // P(chi² > 40.5) < 1e-6 even for 7 degrees of freedom.
  double chi2 = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    const double e = probs[i] * double(shots);
    chi2 += (counts[i] - e) * (counts[i] - e) / e;
  }
  CHECK(chi2 < 40.52);

  // a basis state is always sampled as itself (no off-by-one at the CDF steps)
  auto basis = space.create(3);
  space.set_basis_state(basis, 5);
  for (auto s : space.sample(basis, 1000, key)) CHECK(s == 5);

  // the state's norm does not matter
  sim.apply_diagonal(st, {0}, {3.0, 3.0});
  CHECK(space.sample(st, shots, key) == s1);
}

TEST_CASE("reductions and sampling do not depend on the execution space or threads", "[quantum]") {
  Space space;  // default host execution space (OpenMP with --moesim-threads)
  q::StateSpace<double, Kokkos::HostSpace, Kokkos::Serial> serial;
  Rng rng{{555, 4}};
  const unsigned n = 15;  // 8 reduction blocks
  const auto psi = random_state(rng, n);
  const auto phi = random_state(rng, n);
  auto a = space.create(n), b = space.create(n);
  auto sa = serial.create(n), sb = serial.create(n);
  load(space, a, psi);
  load(space, b, phi);
  load(space, sa, psi);
  load(space, sb, phi);
  CHECK(space.norm2(a) == serial.norm2(sa));
  const auto ip = space.inner_product(a, b), sip = serial.inner_product(sa, sb);
  CHECK(ip.real() == sip.real());
  CHECK(ip.imag() == sip.imag());
  CHECK(space.expectation_pauli(a, "XYZIXYZIXYZIXYZ") == serial.expectation_pauli(sa, "XYZIXYZIXYZIXYZ"));
  const moesim::PhiloxKey key{2026, q::kSamplingStream};
  CHECK(space.sample(a, 50000, key) == serial.sample(sa, 50000, key));
  // and the serial simulator applies gates identically
  Sim sim;
  q::StateVectorSimulator<double, Kokkos::HostSpace, Kokkos::Serial> ssim;
  const auto u = random_gate2(rng);
  sim.apply_gate2(a, 3, 11, u);
  ssim.apply_gate2(sa, 3, 11, u);
  CHECK(max_diff(unload(space, a), unload(space, sa)) == 0.0);
}
