// Circuit IR of the state-vector engine (issue 5): quantum and classical
// bits in flat index spaces (registers are named ranges of them) and a list
// of operations in program order. The QASM reader produces it, fusion.hpp
// rewrites it, circuit_runner.hpp executes it.
//
// Bit order as everywhere in models/quantum: qubit 0 is the least significant
// bit of a basis index. Registers are laid out in declaration order, so
// qubit 0 is bit 0 of the first qreg (Qiskit's order).
#pragma once
#include "models/quantum/gates.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace moesim::quantum {

enum class OpKind {
  Gate1,     // dense 2x2 `g1` on qubits[0], applied where every control is |1⟩
  Gate2,     // dense 4x4 `g2` on (qubits[0], qubits[1]), local index bit(q0) + 2 bit(q1)
  Diagonal,  // `matrix` holds 2^k diagonal entries, index Σ_j bit(qubits[j]) << j
  Measure,   // qubits[0] -> clbit, with collapse
  Reset,     // qubits[0] -> |0⟩
  Barrier,   // no effect on the state; stops gate fusion across it
};

// `if(creg == value)`: the op runs only when the classical register (bits
// offset … offset+size−1, bit 0 least significant) holds `value`.
struct Condition {
  bool active = false;
  unsigned creg_offset = 0;
  unsigned creg_size = 0;
  std::uint64_t value = 0;
};

struct Operation {
  OpKind kind = OpKind::Barrier;
  std::string name;  // the gate it came from ("h", "cx", "fused", ...), for messages and noise arity
  std::vector<unsigned> qubits;
  std::vector<unsigned> controls;  // Gate1 only
  Gate1 g1{};
  Gate2 g2{};
  std::vector<cplx> matrix;  // Diagonal entries
  unsigned clbit = 0;        // Measure
  Condition condition;
  // False on all but the last operation of a gate that expands into several
  // (cswap): gate noise follows the whole gate, on all of its qubits.
  bool ends_gate = true;

  // Every qubit the operation acts on (controls included).
  std::vector<unsigned> all_qubits() const {
    std::vector<unsigned> q(qubits);
    q.insert(q.end(), controls.begin(), controls.end());
    return q;
  }
  bool is_unitary() const {
    return kind == OpKind::Gate1 || kind == OpKind::Gate2 || kind == OpKind::Diagonal;
  }
};

struct Register {
  std::string name;
  unsigned offset = 0;
  unsigned size = 0;
};

struct Circuit {
  unsigned num_qubits = 0;
  unsigned num_clbits = 0;
  std::vector<Register> qregs, cregs;
  std::vector<Operation> ops;

  // --- builders (no checking: the reader checks its input) -------------------
  Operation& gate1(const std::string& name, unsigned target, const Gate1& g,
                   std::vector<unsigned> controls = {}) {
    Operation op;
    op.kind = OpKind::Gate1;
    op.name = name;
    op.qubits = {target};
    op.controls = std::move(controls);
    op.g1 = g;
    ops.push_back(std::move(op));
    return ops.back();
  }
  Operation& gate2(const std::string& name, unsigned qa, unsigned qb, const Gate2& g) {
    Operation op;
    op.kind = OpKind::Gate2;
    op.name = name;
    op.qubits = {qa, qb};
    op.g2 = g;
    ops.push_back(std::move(op));
    return ops.back();
  }
  Operation& diagonal(const std::string& name, std::vector<unsigned> qubits, std::vector<cplx> diag) {
    Operation op;
    op.kind = OpKind::Diagonal;
    op.name = name;
    op.qubits = std::move(qubits);
    op.matrix = std::move(diag);
    ops.push_back(std::move(op));
    return ops.back();
  }
  Operation& measure(unsigned qubit, unsigned clbit) {
    Operation op;
    op.kind = OpKind::Measure;
    op.name = "measure";
    op.qubits = {qubit};
    op.clbit = clbit;
    ops.push_back(std::move(op));
    return ops.back();
  }
  Operation& reset(unsigned qubit) {
    Operation op;
    op.kind = OpKind::Reset;
    op.name = "reset";
    op.qubits = {qubit};
    ops.push_back(std::move(op));
    return ops.back();
  }
  Operation& barrier(std::vector<unsigned> qubits) {
    Operation op;
    op.kind = OpKind::Barrier;
    op.name = "barrier";
    op.qubits = std::move(qubits);
    ops.push_back(std::move(op));
    return ops.back();
  }

  // True when the circuit can be run once as a unitary followed by sampling:
  // no reset, no condition, and every measurement is terminal (no later
  // operation other than a barrier or another measurement touches its qubit).
  bool measurements_terminal() const {
    std::vector<bool> measured(num_qubits, false);
    for (const auto& op : ops) {
      if (op.condition.active || op.kind == OpKind::Reset) return false;
      if (op.kind == OpKind::Measure) {
        measured[op.qubits[0]] = true;
        continue;
      }
      if (op.kind == OpKind::Barrier) continue;
      for (unsigned q : op.all_qubits())
        if (measured[q]) return false;
    }
    return true;
  }
};

}  // namespace moesim::quantum
