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

// --- Oracle for the batched small registers (batched_state.hpp) ------------
// One register at a time, every gate built as its matrix from gates.hpp and
// applied with apply_gate_reference. `angles` holds `slots` angles per
// register; op kinds as BatchedOpKind (declared here by value so that this
// file stays free of Kokkos): 0 ry, 1 rz, 2 rx, 3 dense, 4 cz, 5 cx.
struct ReferenceBatchedOp {
  int kind = 0;
  unsigned q0 = 0, q1 = 0;
  int slot = -1;        // angle slot of the register, -1: `angle`
  double angle = 0.0;
  Gate1 gate = gates::id();
};

inline void apply_batched_program_reference(std::vector<std::vector<cplx>>& registers,
                                            const std::vector<ReferenceBatchedOp>& ops,
                                            const std::vector<double>& angles, std::size_t slots) {
  for (std::size_t b = 0; b < registers.size(); ++b) {
    auto& psi = registers[b];
    for (const auto& op : ops) {
      const double th = op.slot >= 0 ? angles[b * slots + std::size_t(op.slot)] : op.angle;
      switch (op.kind) {
        case 0: apply_gate_reference(psi, op.q0, gates::ry(th)); break;
        case 1: apply_gate_reference(psi, op.q0, gates::rz(th)); break;
        case 2: apply_gate_reference(psi, op.q0, gates::rx(th)); break;
        case 3: apply_gate_reference(psi, op.q0, op.gate); break;
        case 4: apply_gate_reference(psi, op.q0, op.q1, gates::cz()); break;
        default: apply_gate_reference(psi, op.q0, op.q1, gates::cx()); break;
      }
    }
  }
}

// --- Oracle for the density-matrix path (density_matrix.hpp) ---------------
// ρ is a row-major d x d matrix, d = 2^n. A ρ A† is formed as A (A ρ)†† by
// applying apply_gate_reference to the columns of ρ, taking the conjugate
// transpose, and doing it again: plain matrix products, no vectorisation.
inline void conjugate_transpose_reference(std::vector<cplx>& m, std::size_t d) {
  for (std::size_t r = 0; r < d; ++r)
    for (std::size_t c = r; c < d; ++c) {
      const cplx a = m[r * d + c], b = m[c * d + r];
      m[r * d + c] = std::conj(b);
      m[c * d + r] = std::conj(a);
    }
}

inline void left_multiply_reference(std::vector<cplx>& rho, std::size_t d, const std::vector<unsigned>& targets,
                                    const std::vector<cplx>& matrix, const std::vector<unsigned>& controls) {
  std::vector<cplx> col(d);
  for (std::size_t c = 0; c < d; ++c) {
    for (std::size_t r = 0; r < d; ++r) col[r] = rho[r * d + c];
    apply_gate_reference(col, targets, matrix, controls);
    for (std::size_t r = 0; r < d; ++r) rho[r * d + c] = col[r];
  }
}

// ρ → A ρ A† for the 2^k x 2^k `matrix` A on `targets` (controls on |1⟩).
inline void apply_to_density_reference(std::vector<cplx>& rho, unsigned n, const std::vector<unsigned>& targets,
                                       const std::vector<cplx>& matrix,
                                       const std::vector<unsigned>& controls = {}) {
  const std::size_t d = std::size_t{1} << n;
  left_multiply_reference(rho, d, targets, matrix, controls);
  conjugate_transpose_reference(rho, d);
  left_multiply_reference(rho, d, targets, matrix, controls);
  conjugate_transpose_reference(rho, d);
}

// ρ → Σ_i K_i ρ K_i† with one-qubit Kraus operators on `qubit`.
inline void apply_kraus_reference(std::vector<cplx>& rho, unsigned n, unsigned qubit, const std::vector<Gate1>& ops) {
  std::vector<cplx> sum(rho.size(), cplx(0, 0));
  for (const auto& k : ops) {
    std::vector<cplx> term(rho);
    apply_to_density_reference(term, n, {qubit}, std::vector<cplx>(k.m, k.m + 4));
    for (std::size_t e = 0; e < sum.size(); ++e) sum[e] += term[e];
  }
  rho.swap(sum);
}

}  // namespace moesim::quantum
