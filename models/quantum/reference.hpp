// Plain-loop oracle for gate application (the reference the Kokkos kernels of
// simulator.hpp are tested against). Deliberately a different formulation:
// for every output index it gathers the 2^k inputs that the matrix mixes,
// working on a std::vector of std::complex<double>.
#pragma once
#include "models/quantum/gates.hpp"

#include <cstddef>
#include <vector>

namespace moesim::quantum {

// Applies the 2^k x 2^k row-major `matrix` to `targets` (local index
// Σ_j bit(targets[j]) << j) where all `controls` are |1⟩; identity elsewhere.
inline void apply_gate_reference(std::vector<cplx>& psi, const std::vector<unsigned>& targets,
                                 const std::vector<cplx>& matrix,
                                 const std::vector<unsigned>& controls = {}) {
  const std::size_t dim = std::size_t{1} << targets.size();
  std::vector<cplx> out(psi.size());
  for (std::size_t i = 0; i < psi.size(); ++i) {
    bool active = true;
    for (unsigned c : controls) active = active && ((i >> c) & 1u);
    if (!active) {
      out[i] = psi[i];
      continue;
    }
    std::size_t row = 0, cleared = i;
    for (std::size_t j = 0; j < targets.size(); ++j) {
      row |= ((i >> targets[j]) & 1u) << j;
      cleared &= ~(std::size_t{1} << targets[j]);
    }
    cplx s = 0;
    for (std::size_t col = 0; col < dim; ++col) {
      std::size_t src = cleared;
      for (std::size_t j = 0; j < targets.size(); ++j)
        if ((col >> j) & 1u) src |= std::size_t{1} << targets[j];
      s += matrix[row * dim + col] * psi[src];
    }
    out[i] = s;
  }
  psi.swap(out);
}

inline void apply_gate_reference(std::vector<cplx>& psi, unsigned target, const Gate1& g,
                                 const std::vector<unsigned>& controls = {}) {
  apply_gate_reference(psi, {target}, std::vector<cplx>(g.m, g.m + 4), controls);
}

inline void apply_gate_reference(std::vector<cplx>& psi, unsigned qa, unsigned qb, const Gate2& g) {
  apply_gate_reference(psi, {qa, qb}, std::vector<cplx>(g.m, g.m + 16));
}

// Diagonal gate as a dense diagonal matrix.
inline void apply_diagonal_reference(std::vector<cplx>& psi, const std::vector<unsigned>& qubits,
                                     const std::vector<cplx>& diag) {
  const std::size_t dim = diag.size();
  std::vector<cplx> m(dim * dim, cplx(0, 0));
  for (std::size_t e = 0; e < dim; ++e) m[e * dim + e] = diag[e];
  apply_gate_reference(psi, qubits, m);
}

}  // namespace moesim::quantum
