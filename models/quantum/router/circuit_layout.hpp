// The QS-MoE router's circuit (docs/quantum_router.md): n qubits, one angle
// encoding layer and L variational layers, measured after layer m ≤ L.
//
//   encoding:      ry(θ_q) on every qubit q, θ = x·W_enc + b_enc (per token)
//   layer l < m:   CZ ring (q, q+1 mod n), then rz(φ_{l,q,0}) and ry(φ_{l,q,1})
//                  on every qubit
//   measurement:   computational basis, 2^n outcomes
//
// The entangler comes first in each layer so that no gate before the
// measurement is diagonal-only (which would not change the distribution).
// Every rotation reads a per-register angle slot: slot q (q < n) is the
// encoding angle, slot n + 2(l·n + q) + r the variational rz (r = 0) / ry
// (r = 1) angle. Parameter-shift evaluations shift one slot by ±π/2.
#pragma once
#include "models/quantum/batched_state.hpp"

#include <cstddef>
#include <utility>
#include <vector>

namespace moesim::quantum {

struct CircuitLayout {
  unsigned qubits = 1;
  int layers = 0;  // variational layers available (L)

  std::size_t slots() const { return qubits + 2 * std::size_t(qubits) * std::size_t(layers); }
  // Slots read by a circuit measured after layer m.
  std::size_t active_slots(int m) const { return qubits + 2 * std::size_t(qubits) * std::size_t(m); }
  std::size_t variational_slot(int layer, unsigned q, int r) const {
    return qubits + 2 * (std::size_t(layer) * qubits + q) + std::size_t(r);
  }
  // CZ pairs of the ring: none for 1 qubit, (0,1) for 2, (q, q+1 mod n) otherwise.
  std::vector<std::pair<unsigned, unsigned>> ring() const {
    std::vector<std::pair<unsigned, unsigned>> r;
    if (qubits == 2) r.push_back({0, 1});
    if (qubits >= 3)
      for (unsigned q = 0; q < qubits; ++q) r.push_back({q, (q + 1) % qubits});
    return r;
  }
  // The program of the circuit measured after layer m (0 ≤ m ≤ layers).
  BatchedProgram program(int m) const {
    BatchedProgram p;
    for (unsigned q = 0; q < qubits; ++q) p.push_back(rot(BatchedOpKind::RY, q, int(q)));
    for (int l = 0; l < m; ++l) {
      for (auto [a, b] : ring()) {
        BatchedOp cz;
        cz.kind = BatchedOpKind::CZ;
        cz.q0 = a;
        cz.q1 = b;
        p.push_back(cz);
      }
      for (unsigned q = 0; q < qubits; ++q) {
        p.push_back(rot(BatchedOpKind::RZ, q, int(variational_slot(l, q, 0))));
        p.push_back(rot(BatchedOpKind::RY, q, int(variational_slot(l, q, 1))));
      }
    }
    return p;
  }

 private:
  static BatchedOp rot(BatchedOpKind k, unsigned q, int slot) {
    BatchedOp o;
    o.kind = k;
    o.q0 = q;
    o.slot = slot;
    return o;
  }
};

}  // namespace moesim::quantum
