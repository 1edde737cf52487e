// Helpers shared by the state-vector tests: a Philox draw sequence, random
// unitaries and states, host <-> device copies of a state and the largest
// amplitude difference.
#pragma once
#include "core/philox.hpp"
#include "models/quantum/gates.hpp"
#include "models/quantum/state_space.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace moesim::testing {

struct Rng {
  moesim::PhiloxKey key;
  std::uint64_t counter = 0;
  double normal() { return moesim::Philox::normal(key, counter++); }
  double uniform() { return moesim::Philox::uniform(key, counter++); }
  std::uint64_t below(std::uint64_t n) { return moesim::Philox::below(key, counter++, n); }
};

// Random d x d unitary: modified Gram-Schmidt (a QR decomposition) of a
// complex Gaussian matrix, by rows.
inline std::vector<quantum::cplx> random_unitary(Rng& rng, std::size_t d) {
  std::vector<quantum::cplx> m(d * d);
  for (auto& e : m) e = quantum::cplx(rng.normal(), rng.normal());
  for (std::size_t r = 0; r < d; ++r) {
    for (std::size_t p = 0; p < r; ++p) {
      quantum::cplx dot = 0;
      for (std::size_t c = 0; c < d; ++c) dot += std::conj(m[p * d + c]) * m[r * d + c];
      for (std::size_t c = 0; c < d; ++c) m[r * d + c] -= dot * m[p * d + c];
    }
    double n2 = 0;
    for (std::size_t c = 0; c < d; ++c) n2 += std::norm(m[r * d + c]);
    for (std::size_t c = 0; c < d; ++c) m[r * d + c] /= std::sqrt(n2);
  }
  return m;
}

// Random normalised n-qubit state.
inline std::vector<quantum::cplx> random_state(Rng& rng, unsigned n) {
  std::vector<quantum::cplx> v(std::size_t{1} << n);
  double n2 = 0;
  for (auto& e : v) {
    e = quantum::cplx(rng.normal(), rng.normal());
    n2 += std::norm(e);
  }
  for (auto& e : v) e /= std::sqrt(n2);
  return v;
}

inline void load(const moesim::quantum::StateSpace<double>& space,
                 moesim::quantum::StateSpace<double>::state_type& st, const std::vector<quantum::cplx>& v) {
  std::vector<Kokkos::complex<double>> k(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) k[i] = Kokkos::complex<double>(v[i].real(), v[i].imag());
  space.from_host(st, k);
}

inline std::vector<quantum::cplx> unload(const moesim::quantum::StateSpace<double>& space,
                                 const moesim::quantum::StateSpace<double>::state_type& st) {
  const auto k = space.to_host(st);
  std::vector<quantum::cplx> v(k.size());
  for (std::size_t i = 0; i < k.size(); ++i) v[i] = quantum::cplx(k[i].real(), k[i].imag());
  return v;
}

inline double max_diff(const std::vector<quantum::cplx>& a, const std::vector<quantum::cplx>& b) {
  REQUIRE(a.size() == b.size());
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

}  // namespace moesim::testing
