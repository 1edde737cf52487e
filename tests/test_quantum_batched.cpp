// Batched small registers (models/quantum/batched_state.hpp): random circuits
// of per-register rotations, dense gates, CZ and CX against the plain-loop
// oracle (reference.hpp) and the single-register simulator, in float and
// double, with batches that do not fill the last block; probabilities;
// per-register shot sampling (deterministic, independent of the parallel
// partition, extendable, statistically right).
#include "core/philox.hpp"
#include "models/quantum/batched_state.hpp"
#include "models/quantum/gates.hpp"
#include "models/quantum/reference.hpp"
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"
#include "run_binary.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <complex>
#include <sstream>
#include <string>
#include <vector>

namespace q = moesim::quantum;
using q::cplx;

namespace {

struct Rng {
  moesim::PhiloxKey key;
  std::uint64_t c = 0;
  double u() { return moesim::Philox::uniform(key, c++); }
  double n() { return moesim::Philox::normal(key, c++); }
  unsigned below(unsigned k) { return unsigned(moesim::Philox::below(key, c++, k)); }
};

std::vector<cplx> random_state(Rng& r, std::size_t dim) {
  std::vector<cplx> v(dim);
  double s = 0;
  for (auto& a : v) {
    a = cplx(r.n(), r.n());
    s += std::norm(a);
  }
  for (auto& a : v) a /= std::sqrt(s);
  return v;
}

// A random program over n qubits with `slots` per-register angles; the same
// program for the oracle.
void random_program(Rng& r, unsigned n, std::size_t slots, int gates, q::BatchedProgram& prog,
                    std::vector<q::ReferenceBatchedOp>& ref) {
  for (int g = 0; g < gates; ++g) {
    q::BatchedOp op;
    const unsigned kind = n >= 2 ? r.below(6) : r.below(4);
    op.kind = q::BatchedOpKind(kind);
    op.q0 = r.below(n);
    if (kind >= 4) {
      op.q1 = (op.q0 + 1 + r.below(n - 1)) % n;
    } else if (kind == 3) {
      op.gate = q::gates::u3(6 * r.u(), 6 * r.u(), 6 * r.u());
    } else if (r.u() < 0.7) {
      op.slot = int(r.below(unsigned(slots)));
    } else {
      op.angle = 6 * r.u() - 3;
    }
    prog.push_back(op);
    q::ReferenceBatchedOp o;
    o.kind = int(kind);
    o.q0 = op.q0;
    o.q1 = op.q1;
    o.slot = op.slot;
    o.angle = op.angle;
    o.gate = op.gate;
    ref.push_back(o);
  }
}

template <class Real>
double max_error_vs_oracle(unsigned n, std::size_t batch, std::uint64_t seed) {
  Rng r{{seed, 77}};
  const std::size_t dim = std::size_t{1} << n, slots = 5;
  q::BatchedProgram prog;
  std::vector<q::ReferenceBatchedOp> ref;
  random_program(r, n, slots, 40, prog, ref);
  std::vector<double> angles(batch * slots);
  for (auto& a : angles) a = 8 * r.u() - 4;
  q::BatchedSimulator<Real> sim;
  auto st = sim.create(n, batch);
  std::vector<std::vector<cplx>> regs(batch);
  for (std::size_t b = 0; b < batch; ++b) {
    regs[b] = random_state(r, dim);
    sim.set_register(st, b, regs[b]);
  }
  const auto table = sim.make_angles(angles, batch, slots);
  sim.run(st, prog, &table);
  q::apply_batched_program_reference(regs, ref, angles, slots);
  double worst = 0;
  for (std::size_t b = 0; b < batch; ++b) {
    const auto got = sim.register_host(st, b);
    for (std::size_t i = 0; i < dim; ++i) worst = std::max(worst, std::abs(got[i] - regs[b][i]));
  }
  return worst;
}

}  // namespace

TEST_CASE("batched registers match the plain-loop oracle (double and float)", "[quantum]") {
  for (unsigned n : {1u, 2u, 3u, 4u, 6u, 9u}) {
    for (std::size_t batch : {std::size_t(1), std::size_t(16), std::size_t(37)}) {
      CAPTURE(n, batch);
      CHECK(max_error_vs_oracle<double>(n, batch, 10 * n + batch) < 1e-12);
      CHECK(max_error_vs_oracle<float>(n, batch, 10 * n + batch) < 2e-5);
    }
  }
}

TEST_CASE("a batched register evolves as the single-register simulator", "[quantum]") {
  const unsigned n = 5;
  const std::size_t batch = 21;
  Rng r{{3, 9}};
  // ry(per-register angle) on every qubit, a CX/CZ ring, a dense gate, rz, rx.
  std::vector<double> angles(batch * n);
  for (auto& a : angles) a = 6 * r.u();
  q::BatchedProgram prog;
  for (unsigned k = 0; k < n; ++k) {
    q::BatchedOp op;
    op.kind = q::BatchedOpKind::RY;
    op.q0 = k;
    op.slot = int(k);
    prog.push_back(op);
  }
  for (unsigned k = 0; k < n; ++k) {
    q::BatchedOp op;
    op.kind = k % 2 ? q::BatchedOpKind::CZ : q::BatchedOpKind::CX;
    op.q0 = k;
    op.q1 = (k + 1) % n;
    prog.push_back(op);
  }
  q::BatchedOp d;
  d.kind = q::BatchedOpKind::Dense;
  d.q0 = 2;
  d.gate = q::gates::u3(0.4, 1.2, -0.3);
  prog.push_back(d);
  q::BatchedOp rz;
  rz.kind = q::BatchedOpKind::RZ;
  rz.q0 = 4;
  rz.angle = 0.9;
  prog.push_back(rz);
  q::BatchedOp rx;
  rx.kind = q::BatchedOpKind::RX;
  rx.q0 = 1;
  rx.slot = 3;
  prog.push_back(rx);

  q::BatchedSimulator<double> bsim;
  auto st = bsim.create(n, batch);
  const auto table = bsim.make_angles(angles, batch, n);
  bsim.run(st, prog, &table);
  const auto probs = bsim.probabilities_host(st);

  q::StateSpace<double> space;
  q::StateVectorSimulator<double> sim;
  for (std::size_t b = 0; b < batch; ++b) {
    auto s = space.create(n);
    for (unsigned k = 0; k < n; ++k) sim.apply_gate(s, k, q::gates::ry(angles[b * n + k]));
    for (unsigned k = 0; k < n; ++k)
      sim.apply_gate2(s, k, (k + 1) % n, k % 2 ? q::gates::cz() : q::gates::cx());
    sim.apply_gate(s, 2, d.gate);
    sim.apply_gate(s, 4, q::gates::rz(0.9));
    sim.apply_gate(s, 1, q::gates::rx(angles[b * n + 3]));
    const auto want = space.to_host(s);
    const auto got = bsim.register_host(st, b);
    double sum = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      CHECK(std::abs(got[i] - cplx(want[i].real(), want[i].imag())) < 1e-12);
      CHECK(std::abs(probs[b * want.size() + i] - std::norm(got[i])) < 1e-15);
      sum += probs[b * want.size() + i];
    }
    CHECK(std::abs(sum - 1.0) < 1e-12);
  }
}

TEST_CASE("batched probabilities sum to one and reset gives |0>", "[quantum]") {
  q::BatchedSimulator<float> sim;
  auto st = sim.create(7, 50);
  const auto p0 = sim.probabilities_host(st);
  for (std::size_t b = 0; b < 50; ++b) CHECK(p0[b * 128] == 1.0);
  Rng r{{4, 4}};
  q::BatchedProgram prog;
  std::vector<q::ReferenceBatchedOp> ref;
  random_program(r, 7, 3, 60, prog, ref);
  std::vector<double> angles(50 * 3);
  for (auto& a : angles) a = 6 * r.u();
  const auto table = sim.make_angles(angles, 50, 3);
  sim.run(st, prog, &table);
  const auto p = sim.probabilities_host(st);
  for (std::size_t b = 0; b < 50; ++b) {
    double s = 0;
    for (std::size_t i = 0; i < 128; ++i) s += p[b * 128 + i];
    CHECK(std::abs(s - 1.0) < 1e-5);
  }
  CHECK_THROWS(sim.create(13, 4));
  q::BatchedOp bad;
  bad.kind = q::BatchedOpKind::RY;
  bad.q0 = 1;
  bad.slot = 3;  // only 3 slots
  CHECK_THROWS(sim.run(st, {bad}, &table));
}

TEST_CASE("per-register shots are deterministic, partition-independent and extendable", "[quantum]") {
  const std::size_t dim = 8, batch = 33;
  Rng r{{5, 5}};
  std::vector<double> probs(batch * dim);
  for (std::size_t b = 0; b < batch; ++b) {
    double s = 0;
    for (std::size_t i = 0; i < dim; ++i) s += probs[b * dim + i] = (i == 3 ? 0.0 : r.u());
    for (std::size_t i = 0; i < dim; ++i) probs[b * dim + i] /= s;
  }
  std::vector<std::int64_t> shots(batch);
  for (std::size_t b = 0; b < batch; ++b) shots[b] = 100 + std::int64_t(b);
  const moesim::PhiloxKey key{11, q::kBatchedSamplingStream};
  const auto a = q::sample_register_counts(probs, dim, shots, key, 1000);
  const auto b2 = q::sample_register_counts(probs, dim, shots, key, 1000);
  CHECK(a == b2);
  // The same numbers one register at a time, serially (any partition).
  std::vector<std::int32_t> serial(batch * dim, 0);
  for (std::size_t b = 0; b < batch; ++b)
    q::sample_register_shots(&probs[b * dim], dim, key, 1000 + b, 0, std::uint64_t(shots[b]), &serial[b * dim]);
  CHECK(a == serial);
  // Extra shots continue the sequence: [0, 60) + [60, 100) == [0, 100).
  std::vector<std::int32_t> two(dim, 0), one(dim, 0);
  q::sample_register_shots(&probs[0], dim, key, 7, 0, 60, two.data());
  q::sample_register_shots(&probs[0], dim, key, 7, 60, 100, two.data());
  q::sample_register_shots(&probs[0], dim, key, 7, 0, 100, one.data());
  CHECK(one == two);
  for (std::size_t b = 0; b < batch; ++b) {
    CHECK(a[b * dim + 3] == 0);  // zero-probability state never drawn
    std::int64_t total = 0;
    for (std::size_t i = 0; i < dim; ++i) total += a[b * dim + i];
    CHECK(total == shots[b]);
  }
  // Frequencies: 200000 shots of one register within 5 standard errors.
  std::vector<std::int32_t> big(dim, 0);
  q::sample_register_shots(&probs[0], dim, key, 99, 0, 200000, big.data());
  for (std::size_t i = 0; i < dim; ++i) {
    const double p = probs[i], se = std::sqrt(p * (1 - p) / 200000.0);
    CHECK(std::abs(big[i] / 200000.0 - p) <= 5 * se + 1e-12);
  }
}

TEST_CASE("moesim bench statevector_batched prints the contract keys", "[quantum][bench]") {
  const auto r = moesim::testing::run_moesim(
      {"bench", "statevector_batched", "--json", "--set", "qubits=3,5", "--set", "batch=512"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::size_t lines = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;
    ++lines;
    for (const char* key : {"\"bench\": \"statevector_batched\"", "\"impl\": \"moesim\"", "\"threads\":",
                            "\"seconds\":", "\"qubits\":", "\"gate\":", "\"batch\": 512", "\"precision\": \"fp32\"",
                            "\"ns_per_register_gate\":", "\"limit_ns\":", "\"limit_fraction\":"}) {
      CAPTURE(line, key);
      CHECK(line.find(key) != std::string::npos);
    }
  }
  CHECK(lines == 4);  // 2 qubit counts x (dense, ry)
  const auto bad = moesim::testing::run_moesim({"bench", "statevector_batched", "--set", "qubits=13"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("qubits") != std::string::npos);
}
