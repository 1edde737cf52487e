#include "models/quantum/router/noisy_register.hpp"

#include "core/error.hpp"

#include <Kokkos_Core.hpp>

#include <cmath>
#include <stdexcept>

namespace moesim::quantum {

namespace {

// ρ is stored row-major, flat index i·dim + j: column bit q is flat bit q,
// row bit q is flat bit q + n. A one-qubit map ρ → Σ K ρ K† on qubit q is a
// 4x4 superoperator over the local index r + 2c (r the row bit, c the column
// bit) with S[(r+2c), (r'+2c')] = Σ_K K[r,r'] conj(K[c,c']); a gate followed
// by its error channel is the product of the two, applied in one sweep.
struct Super {
  cplx m[16];
};

Super of_unitary(const Gate1& u) {
  Super s;
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c)
      for (int r2 = 0; r2 < 2; ++r2)
        for (int c2 = 0; c2 < 2; ++c2) s.m[(r + 2 * c) * 4 + r2 + 2 * c2] = u.m[r * 2 + r2] * std::conj(u.m[c * 2 + c2]);
  return s;
}
Super of_channel(const std::vector<Gate1>& kraus) {
  Super s{};
  if (kraus.empty()) return of_unitary(gates::id());
  for (const Gate1& k : kraus) {
    const Super t = of_unitary(k);
    for (int e = 0; e < 16; ++e) s.m[e] += t.m[e];
  }
  return s;
}
Super times(const Super& a, const Super& b) {  // a · b (b acts first)
  Super s{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      cplx v = 0.0;
      for (int k = 0; k < 4; ++k) v += a.m[i * 4 + k] * b.m[k * 4 + j];
      s.m[i * 4 + j] = v;
    }
  return s;
}
void apply(std::vector<cplx>& rho, unsigned n, unsigned q, const Super& s) {
  const std::size_t cb = std::size_t{1} << q, rb = std::size_t{1} << (q + n), total = rho.size();
  for (std::size_t i = 0; i < total; ++i) {
    if (i & (cb | rb)) continue;
    const std::size_t idx[4] = {i, i | rb, i | cb, i | rb | cb};  // local r + 2c
    const cplx v[4] = {rho[idx[0]], rho[idx[1]], rho[idx[2]], rho[idx[3]]};
    for (int r = 0; r < 4; ++r)
      rho[idx[r]] = s.m[r * 4] * v[0] + s.m[r * 4 + 1] * v[1] + s.m[r * 4 + 2] * v[2] + s.m[r * 4 + 3] * v[3];
  }
}
void apply_pure(std::vector<cplx>& psi, unsigned q, const Gate1& u) {
  const std::size_t b = std::size_t{1} << q;
  for (std::size_t i0 = 0; i0 < psi.size(); ++i0) {
    if (i0 & b) continue;
    const cplx a = psi[i0], d = psi[i0 | b];
    psi[i0] = u.m[0] * a + u.m[1] * d;
    psi[i0 | b] = u.m[2] * a + u.m[3] * d;
  }
}
Gate1 rotation(BatchedOpKind k, double th) {
  return k == BatchedOpKind::RY ? gates::ry(th) : k == BatchedOpKind::RZ ? gates::rz(th) : gates::rx(th);
}

struct Channels {
  Super after_1q, after_2q, idle_encoding, idle_layer;
  bool has_1q, has_2q, has_enc, has_layer;
  explicit Channels(const RegisterNoise& n)
      : after_1q(of_channel(n.after_1q)),
        after_2q(of_channel(n.after_2q)),
        idle_encoding(of_channel(n.idle_encoding)),
        idle_layer(of_channel(n.idle_layer)),
        has_1q(!n.after_1q.empty()),
        has_2q(!n.after_2q.empty()),
        has_enc(!n.idle_encoding.empty()),
        has_layer(!n.idle_layer.empty()) {}
};

// ρ (and the noiseless ψ) of one register.
void simulate(const CircuitLayout& layout, const BatchedProgram& prog, const double* angles, const Channels& ch,
              std::vector<cplx>& rho, std::vector<cplx>* psi) {
  const unsigned n = layout.qubits;
  const std::size_t dim = std::size_t{1} << n;
  rho.assign(dim * dim, cplx(0.0, 0.0));
  rho[0] = 1.0;
  if (psi) psi->assign(dim, cplx(0.0, 0.0)), (*psi)[0] = 1.0;
  const std::size_t enc_ops = n, per_layer = layout.ring().size() + 2 * std::size_t(n);
  for (std::size_t o = 0; o < prog.size(); ++o) {
    const BatchedOp& op = prog[o];
    if (op.kind == BatchedOpKind::CZ) {
      const std::size_t a = std::size_t{1} << op.q0, b = std::size_t{1} << op.q1;
      for (std::size_t i = 0; i < dim; ++i)
        for (std::size_t j = 0; j < dim; ++j) {
          const bool si = (i & a) && (i & b), sj = (j & a) && (j & b);
          if (si != sj) rho[i * dim + j] = -rho[i * dim + j];
        }
      if (psi)
        for (std::size_t i = 0; i < dim; ++i)
          if ((i & a) && (i & b)) (*psi)[i] = -(*psi)[i];
      if (ch.has_2q) {
        apply(rho, n, op.q0, ch.after_2q);
        apply(rho, n, op.q1, ch.after_2q);
      }
    } else {
      const double th = op.slot >= 0 ? angles[op.slot] : op.angle;
      const Gate1 u = op.kind == BatchedOpKind::Dense ? op.gate : rotation(op.kind, th);
      const Super g = of_unitary(u);
      apply(rho, n, op.q0, ch.has_1q ? times(ch.after_1q, g) : g);
      if (psi) apply_pure(*psi, op.q0, u);
    }
    // End of the encoding layer / of a variational layer: T1/T2 decay on every qubit.
    if (o + 1 == enc_ops && ch.has_enc)
      for (unsigned q = 0; q < n; ++q) apply(rho, n, q, ch.idle_encoding);
    if (o >= enc_ops && (o + 1 - enc_ops) % per_layer == 0 && ch.has_layer)
      for (unsigned q = 0; q < n; ++q) apply(rho, n, q, ch.idle_layer);
  }
}

}  // namespace

std::vector<cplx> run_density_matrix(const CircuitLayout& layout, int m, const double* angles,
                                     const RegisterNoise& noise) {
  std::vector<cplx> rho;
  simulate(layout, layout.program(m), angles, Channels(noise), rho, nullptr);
  return rho;
}

NoisyRegisterModel::NoisyRegisterModel(RegisterNoise noise, unsigned qubits)
    : noise_(std::move(noise)), qubits_(qubits) {
  if (qubits > kMaxNoisyQubits)
    throw UsageError("quantum.qubits = " + std::to_string(qubits) + " with quantum.noise = " + noise_.preset +
                     " (accepted: at most " + std::to_string(kMaxNoisyQubits) +
                     " qubits for the exact density-matrix noise model)");
}

std::vector<double> NoisyRegisterModel::probabilities(const CircuitLayout& layout, int m,
                                                      const std::vector<double>& angles, std::size_t R,
                                                      std::vector<double>* fidelity) const {
  const std::size_t dim = std::size_t{1} << layout.qubits, slots = layout.slots();
  if (angles.size() != R * slots) throw std::invalid_argument("quantum: noisy angle table size");
  std::vector<double> out(R * dim);
  if (fidelity) fidelity->assign(R, 1.0);
  double* o = out.data();
  double* f = fidelity ? fidelity->data() : nullptr;
  const double* a = angles.data();
  const RegisterNoise& nz = noise_;
  const Channels ch(noise_);
  const BatchedProgram prog = layout.program(m);
  Kokkos::parallel_for(
      "quantum.noisy_registers", Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, R),
      [&, o, f, a](const std::size_t r) {
        std::vector<cplx> rho, psi;
        simulate(layout, prog, a + r * slots, ch, rho, &psi);
        if (f) {
          cplx s = 0.0;
          for (std::size_t i = 0; i < dim; ++i)
            for (std::size_t j = 0; j < dim; ++j) s += std::conj(psi[i]) * rho[i * dim + j] * psi[j];
          f[r] = s.real();
        }
        // Readout confusion, qubit by qubit.
        std::vector<double> p(dim);
        for (std::size_t i = 0; i < dim; ++i) p[i] = std::max(0.0, rho[i * dim + i].real());
        for (unsigned q = 0; q < layout.qubits; ++q) {
          const std::size_t b = std::size_t{1} << q;
          for (std::size_t i0 = 0; i0 < dim; ++i0) {
            if (i0 & b) continue;
            const double p0 = p[i0], p1 = p[i0 | b];
            p[i0] = (1.0 - nz.readout_p01) * p0 + nz.readout_p10 * p1;
            p[i0 | b] = nz.readout_p01 * p0 + (1.0 - nz.readout_p10) * p1;
          }
        }
        for (std::size_t i = 0; i < dim; ++i) o[r * dim + i] = p[i];
      });
  Kokkos::DefaultHostExecutionSpace().fence();
  return out;
}

}  // namespace moesim::quantum
