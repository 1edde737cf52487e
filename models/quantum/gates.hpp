// Gate matrices of OpenQASM 2.0's qelib1.inc as extended by Qiskit, as plain
// data in Qiskit's conventions (double precision; the simulator converts them
// to its floating type).
//
// Conventions:
//  * Bit order: qubit 0 is the least significant bit of a basis index.
//  * Gate1::m is row-major 2x2: m[2*row + col].
//  * Gate2::m is row-major 4x4 over the two qubits (a, b) the gate is applied
//    to, with local index k = bit(a) + 2*bit(b) (Qiskit's little-endian
//    matrix for qargs [a, b]). So cx() applied to (a, b) has control a and
//    target b, exactly as `cx a, b;` in QASM.
//  * U(θ,φ,λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]]
//    (Qiskit's UGate / U3Gate; no global phase dropped or added).
#pragma once
#include <cmath>
#include <complex>

namespace moesim::quantum {

using cplx = std::complex<double>;

struct Gate1 {
  cplx m[4];
};

struct Gate2 {
  cplx m[16];
};

namespace gates {

inline constexpr double kPi = 3.14159265358979323846;

inline Gate1 make1(cplx a, cplx b, cplx c, cplx d) { return Gate1{{a, b, c, d}}; }
inline cplx expi(double x) { return cplx(std::cos(x), std::sin(x)); }

// --- single-qubit -----------------------------------------------------------
inline Gate1 u3(double theta, double phi, double lambda) {
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  return make1(c, -expi(lambda) * s, expi(phi) * s, expi(phi + lambda) * c);
}
inline Gate1 u(double theta, double phi, double lambda) { return u3(theta, phi, lambda); }
inline Gate1 u2(double phi, double lambda) { return u3(kPi / 2, phi, lambda); }
inline Gate1 p(double lambda) { return make1(1.0, 0.0, 0.0, expi(lambda)); }
inline Gate1 u1(double lambda) { return p(lambda); }
inline Gate1 rx(double theta) {
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  return make1(c, cplx(0, -s), cplx(0, -s), c);
}
inline Gate1 ry(double theta) {
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  return make1(c, -s, s, c);
}
inline Gate1 rz(double theta) { return make1(expi(-theta / 2), 0.0, 0.0, expi(theta / 2)); }
inline Gate1 id() { return make1(1.0, 0.0, 0.0, 1.0); }
inline Gate1 h() {
  const double r = 1.0 / std::sqrt(2.0);
  return make1(r, r, r, -r);
}
inline Gate1 x() { return make1(0.0, 1.0, 1.0, 0.0); }
inline Gate1 y() { return make1(0.0, cplx(0, -1), cplx(0, 1), 0.0); }
inline Gate1 z() { return make1(1.0, 0.0, 0.0, -1.0); }
inline Gate1 s() { return make1(1.0, 0.0, 0.0, cplx(0, 1)); }
inline Gate1 sdg() { return make1(1.0, 0.0, 0.0, cplx(0, -1)); }
inline Gate1 t() { return p(kPi / 4); }
inline Gate1 tdg() { return p(-kPi / 4); }
inline Gate1 sx() { return make1(cplx(0.5, 0.5), cplx(0.5, -0.5), cplx(0.5, -0.5), cplx(0.5, 0.5)); }
inline Gate1 sxdg() { return make1(cplx(0.5, -0.5), cplx(0.5, 0.5), cplx(0.5, 0.5), cplx(0.5, -0.5)); }

// --- two-qubit (local index bit(a) + 2*bit(b)) --------------------------------
inline Gate2 diag2(cplx d0, cplx d1, cplx d2, cplx d3) {
  Gate2 g{};
  g.m[0] = d0; g.m[5] = d1; g.m[10] = d2; g.m[15] = d3;
  return g;
}
// |0⟩⟨0|_a ⊗ I_b + |1⟩⟨1|_a ⊗ U_b: control a (first qarg), target b.
inline Gate2 controlled(const Gate1& u) {
  Gate2 g{};
  g.m[0 * 4 + 0] = 1.0;  // k = 0: a=0 b=0
  g.m[2 * 4 + 2] = 1.0;  // k = 2: a=0 b=1
  // a = 1: k = 1 (b=0), 3 (b=1)
  g.m[1 * 4 + 1] = u.m[0];
  g.m[1 * 4 + 3] = u.m[1];
  g.m[3 * 4 + 1] = u.m[2];
  g.m[3 * 4 + 3] = u.m[3];
  return g;
}
inline Gate2 cx() { return controlled(x()); }
inline Gate2 cy() { return controlled(y()); }
inline Gate2 cz() { return diag2(1.0, 1.0, 1.0, -1.0); }
inline Gate2 ch() { return controlled(h()); }
inline Gate2 swap() {
  Gate2 g{};
  g.m[0] = 1.0; g.m[1 * 4 + 2] = 1.0; g.m[2 * 4 + 1] = 1.0; g.m[15] = 1.0;
  return g;
}
inline Gate2 cp(double lambda) { return diag2(1.0, 1.0, 1.0, expi(lambda)); }
inline Gate2 cu1(double lambda) { return cp(lambda); }
inline Gate2 crx(double theta) { return controlled(rx(theta)); }
inline Gate2 cry(double theta) { return controlled(ry(theta)); }
inline Gate2 crz(double theta) { return controlled(rz(theta)); }
inline Gate2 cu3(double theta, double phi, double lambda) { return controlled(u3(theta, phi, lambda)); }
// Qiskit's CUGate: controlled e^{iγ} U(θ,φ,λ).
inline Gate2 cu(double theta, double phi, double lambda, double gamma) {
  Gate1 v = u3(theta, phi, lambda);
  for (auto& e : v.m) e *= expi(gamma);
  return controlled(v);
}
// exp(−i θ/2 Z⊗Z)
inline Gate2 rzz(double theta) {
  const cplx a = expi(-theta / 2), b = expi(theta / 2);
  return diag2(a, b, b, a);
}
// exp(−i θ/2 X⊗X)
inline Gate2 rxx(double theta) {
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  const cplx mis(0, -s);
  Gate2 g{};
  for (int k = 0; k < 4; ++k) {
    g.m[k * 4 + k] = c;
    g.m[k * 4 + (3 - k)] = mis;
  }
  return g;
}

}  // namespace gates
}  // namespace moesim::quantum
