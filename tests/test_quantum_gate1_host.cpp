// Host fast path of the dense single-qubit gate (simulator.hpp →
// simulator_kernels.cpp) on a register large enough that every code path of
// it runs: in-register targets t < 3, runs of 2^t amplitudes with the
// cache-line pre-read (pair distance 512 B to 16 KB) and without, several
// parallel chunks (kGate1Chunk pairs each) and runs longer than one chunk
// (t ≥ 12). Checked on every target against the plain-loop oracle, in
// double and float.
#include "models/quantum/gates.hpp"
#include "models/quantum/reference.hpp"
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"
#include "quantum_test_util.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <vector>

namespace q = moesim::quantum;
using q::cplx;
using namespace moesim::testing;  // quantum_test_util.hpp

namespace {

// 2^14 amplitudes = 4 chunks of 2048 pairs; targets 12 and 13 have runs of
// 4096 and 8192 pairs, split across chunks.
constexpr unsigned kQubits = 14;
static_assert((std::size_t{1} << kQubits) / 2 >= 4 * q::detail::kGate1Chunk, "need several chunks");

q::Gate1 random_gate1(Rng& rng) {
  const auto m = random_unitary(rng, 2);
  q::Gate1 out;
  for (int e = 0; e < 4; ++e) out.m[e] = m[e];
  return out;
}

template <class Real>
double worst_error_all_targets(std::uint64_t seed) {
  q::StateSpace<Real> space;
  q::StateVectorSimulator<Real> sim;
  Rng rng{{seed, 2}};
  auto st = space.create(kQubits);
  double worst = 0;
  for (unsigned t = 0; t < kQubits; ++t) {
    const q::Gate1 u = random_gate1(rng);
    std::vector<cplx> ref = random_state(rng, kQubits);
    std::vector<Kokkos::complex<double>> k(ref.size());
    for (std::size_t i = 0; i < ref.size(); ++i) k[i] = Kokkos::complex<double>(ref[i].real(), ref[i].imag());
    space.from_host(st, k);
    // The oracle starts from the values the state holds (rounded to Real).
    const auto loaded = space.to_host(st);
    for (std::size_t i = 0; i < ref.size(); ++i) ref[i] = cplx(loaded[i].real(), loaded[i].imag());
    sim.apply_gate(st, t, u);
    q::apply_gate_reference(ref, t, u);
    const auto got = space.to_host(st);
    for (std::size_t i = 0; i < ref.size(); ++i)
      worst = std::max(worst, std::abs(cplx(got[i].real(), got[i].imag()) - ref[i]));
  }
  return worst;
}

}  // namespace

TEST_CASE("host 1-qubit gate kernel matches the oracle on every target of 14 qubits", "[quantum]") {
  // Amplitudes are about 2^-7; double keeps ~1e-16 relative, float ~1e-7.
  CHECK(worst_error_all_targets<double>(20261123) < 1e-14);
  CHECK(worst_error_all_targets<float>(20261124) < 1e-7);
}
