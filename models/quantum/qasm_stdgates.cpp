// qelib1.inc (Qiskit's version) as operations. Controlled gates become a
// 2x2 gate with controls (the kernel then touches only the controlled half of
// the state); phase-only gates on several qubits become diagonal operations.
#include "models/quantum/qasm_stdgates.hpp"

namespace moesim::quantum {

namespace {

using namespace gates;

void one(Circuit& c, const char* name, unsigned q, const Gate1& g) { c.gate1(name, q, g); }

// Relative-phase Toffoli (Qiskit's RCCXGate, Margolus): on a=b=1 it maps
// |c=0⟩ -> i|1⟩ and |1⟩ -> −i|0⟩ (a Y on c), and |a=1,b=0,c=1⟩ gets −1.
void emit_rccx(Circuit& c, const double*, const unsigned* q) {
  c.gate1("rccx", q[2], y(), {q[0], q[1]}).ends_gate = false;
  std::vector<cplx> d(8, cplx(1.0, 0.0));
  d[1 + 4] = -1.0;  // a=1, b=0, c=1
  c.diagonal("rccx", {q[0], q[1], q[2]}, d);
}

// Relative-phase 3-controlled X (Qiskit's RC3XGate): on a=b=1, c=0 the
// target d gets diag(i, −i); on a=b=c=1 it gets [[0, 1], [−1, 0]].
void emit_rc3x(Circuit& c, const double*, const unsigned* q) {
  c.gate1("rc3x", q[3], make1(0.0, 1.0, -1.0, 0.0), {q[0], q[1], q[2]}).ends_gate = false;
  std::vector<cplx> d(16, cplx(1.0, 0.0));
  d[3] = cplx(0, 1);       // a=1 b=1 c=0 d=0
  d[3 + 8] = cplx(0, -1);  // a=1 b=1 c=0 d=1
  c.diagonal("rc3x", {q[0], q[1], q[2], q[3]}, d);
}

std::vector<cplx> phase_diag2(cplx d3) { return {1.0, 1.0, 1.0, d3}; }

}  // namespace

const std::vector<StdGate>& core_gates() {
  static const std::vector<StdGate> table = {
      {"U", 3, 1, [](Circuit& c, const double* p, const unsigned* q) { one(c, "U", q[0], u3(p[0], p[1], p[2])); }},
      {"CX", 0, 2, [](Circuit& c, const double*, const unsigned* q) { c.gate1("CX", q[1], x(), {q[0]}); }},
  };
  return table;
}

const std::vector<StdGate>& qelib1_gates() {
  using C = Circuit;
  using P = const double*;
  using Q = const unsigned*;
  static const std::vector<StdGate> table = {
      // single-qubit
      {"u3", 3, 1, [](C& c, P p, Q q) { one(c, "u3", q[0], u3(p[0], p[1], p[2])); }},
      {"u2", 2, 1, [](C& c, P p, Q q) { one(c, "u2", q[0], u2(p[0], p[1])); }},
      {"u1", 1, 1, [](C& c, P p, Q q) { one(c, "u1", q[0], u1(p[0])); }},
      {"u", 3, 1, [](C& c, P p, Q q) { one(c, "u", q[0], u(p[0], p[1], p[2])); }},
      {"p", 1, 1, [](C& c, P p, Q q) { one(c, "p", q[0], gates::p(p[0])); }},
      {"u0", 1, 1, [](C& c, P, Q q) { one(c, "u0", q[0], id()); }},
      {"id", 0, 1, [](C& c, P, Q q) { one(c, "id", q[0], id()); }},
      {"delay", 1, 1, [](C& c, P, Q q) { one(c, "delay", q[0], id()); }},
      {"x", 0, 1, [](C& c, P, Q q) { one(c, "x", q[0], x()); }},
      {"y", 0, 1, [](C& c, P, Q q) { one(c, "y", q[0], y()); }},
      {"z", 0, 1, [](C& c, P, Q q) { one(c, "z", q[0], z()); }},
      {"h", 0, 1, [](C& c, P, Q q) { one(c, "h", q[0], h()); }},
      {"s", 0, 1, [](C& c, P, Q q) { one(c, "s", q[0], s()); }},
      {"sdg", 0, 1, [](C& c, P, Q q) { one(c, "sdg", q[0], sdg()); }},
      {"t", 0, 1, [](C& c, P, Q q) { one(c, "t", q[0], t()); }},
      {"tdg", 0, 1, [](C& c, P, Q q) { one(c, "tdg", q[0], tdg()); }},
      {"rx", 1, 1, [](C& c, P p, Q q) { one(c, "rx", q[0], rx(p[0])); }},
      {"ry", 1, 1, [](C& c, P p, Q q) { one(c, "ry", q[0], ry(p[0])); }},
      {"rz", 1, 1, [](C& c, P p, Q q) { one(c, "rz", q[0], rz(p[0])); }},
      {"sx", 0, 1, [](C& c, P, Q q) { one(c, "sx", q[0], sx()); }},
      {"sxdg", 0, 1, [](C& c, P, Q q) { one(c, "sxdg", q[0], sxdg()); }},
      // two-qubit: first argument is the control
      {"cx", 0, 2, [](C& c, P, Q q) { c.gate1("cx", q[1], x(), {q[0]}); }},
      {"cy", 0, 2, [](C& c, P, Q q) { c.gate1("cy", q[1], y(), {q[0]}); }},
      {"ch", 0, 2, [](C& c, P, Q q) { c.gate1("ch", q[1], h(), {q[0]}); }},
      {"csx", 0, 2, [](C& c, P, Q q) { c.gate1("csx", q[1], sx(), {q[0]}); }},
      {"crx", 1, 2, [](C& c, P p, Q q) { c.gate1("crx", q[1], rx(p[0]), {q[0]}); }},
      {"cry", 1, 2, [](C& c, P p, Q q) { c.gate1("cry", q[1], ry(p[0]), {q[0]}); }},
      {"crz", 1, 2, [](C& c, P p, Q q) { c.gate1("crz", q[1], rz(p[0]), {q[0]}); }},
      {"cu3", 3, 2, [](C& c, P p, Q q) { c.gate1("cu3", q[1], u3(p[0], p[1], p[2]), {q[0]}); }},
      {"cu", 4, 2,
       [](C& c, P p, Q q) {
         Gate1 v = u3(p[0], p[1], p[2]);
         for (auto& e : v.m) e *= expi(p[3]);  // controlled e^{iγ} U (Qiskit's CUGate)
         c.gate1("cu", q[1], v, {q[0]});
       }},
      {"cz", 0, 2, [](C& c, P, Q q) { c.diagonal("cz", {q[0], q[1]}, phase_diag2(-1.0)); }},
      {"cp", 1, 2, [](C& c, P p, Q q) { c.diagonal("cp", {q[0], q[1]}, phase_diag2(expi(p[0]))); }},
      {"cu1", 1, 2, [](C& c, P p, Q q) { c.diagonal("cu1", {q[0], q[1]}, phase_diag2(expi(p[0]))); }},
      {"rzz", 1, 2,
       [](C& c, P p, Q q) {
         const cplx a = expi(-p[0] / 2), b = expi(p[0] / 2);
         c.diagonal("rzz", {q[0], q[1]}, {a, b, b, a});
       }},
      {"swap", 0, 2, [](C& c, P, Q q) { c.gate2("swap", q[0], q[1], swap()); }},
      {"rxx", 1, 2, [](C& c, P p, Q q) { c.gate2("rxx", q[0], q[1], rxx(p[0])); }},
      // three and more qubits
      {"ccx", 0, 3, [](C& c, P, Q q) { c.gate1("ccx", q[2], x(), {q[0], q[1]}); }},
      {"cswap", 0, 3,
       [](C& c, P, Q q) {  // controlled swap of (b, c) = CX(c,b) · CCX(a,b,c) · CX(c,b)
         c.gate1("cswap", q[1], x(), {q[2]}).ends_gate = false;
         c.gate1("cswap", q[2], x(), {q[0], q[1]}).ends_gate = false;
         c.gate1("cswap", q[1], x(), {q[2]});
       }},
      {"rccx", 0, 3, emit_rccx},
      {"c3x", 0, 4, [](C& c, P, Q q) { c.gate1("c3x", q[3], x(), {q[0], q[1], q[2]}); }},
      {"c3sqrtx", 0, 4, [](C& c, P, Q q) { c.gate1("c3sqrtx", q[3], sx(), {q[0], q[1], q[2]}); }},
      {"rc3x", 0, 4, emit_rc3x},
      {"c4x", 0, 5, [](C& c, P, Q q) { c.gate1("c4x", q[4], x(), {q[0], q[1], q[2], q[3]}); }},
  };
  return table;
}

}  // namespace moesim::quantum
