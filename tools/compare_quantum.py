#!/usr/bin/env python3
"""State fidelity of moesim's state-vector engine against Qiskit Aer and qsim.

Runs the same circuits -- QFT of a product state, GHZ, random circuits of
depth 20 over the qelib1 gate set, and a "zoo" with every qelib1 gate --
through `moesim qasm FILE --amplitudes --precision double`, through Qiskit Aer
(statevector method, double precision, from the same QASM text) and through
qsimcirq (the circuit built gate by gate in cirq; cirq has no QASM import
without `ply`). For each circuit and peer it prints

    result <circuit> <qubits> <peer> fidelity <|<a|b>|^2> infidelity <1-F> ok|FAIL

and exits 1 if any comparison fails. Conventions handled here:
  * bit order: moesim and Qiskit index amplitudes little-endian (qubit 0 is
    bit 0); cirq is big-endian in the qubit order given, so qsim gets
    qubit_order = [q_{n-1}, ..., q_0].
  * phases: cp(l) is cirq's CZPowGate(exponent=l/pi) = diag(1,1,1,e^{il}),
    rzz/rxx are ZZ/XXPowGate with global_shift -1/2 (exp(-i l/2 ZZ)), and
    U(t,p,l) = e^{i(p+l)/2} Rz(p) Ry(t) Rz(l), whose phase matters once
    controlled (cu3, cu): it becomes a phase gate on the control.
  * precision: Aer runs in double. qsim computes in single precision only
    (qsimcirq returns complex64; there is no double option); its amplitude
    errors are ~1e-7, but the infidelity is second order in them (~1e-13), so
    both peers are held to 1 - F <= 1e-10. A convention error (bit order,
    a controlled phase) shows up as O(1) infidelity.
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

ONE_Q = ["h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "sxdg", "id"]
ONE_Q_P = {"rx": 1, "ry": 1, "rz": 1, "p": 1, "u1": 1, "u2": 2, "u3": 3, "u": 3}
TWO_Q = ["cx", "cy", "cz", "ch", "swap", "csx"]
TWO_Q_P = {"cp": 1, "cu1": 1, "crx": 1, "cry": 1, "crz": 1, "rxx": 1, "rzz": 1, "cu3": 3, "cu": 4}
THREE_Q = ["ccx", "cswap"]
ZOO_ONLY = {"rccx": 3, "c3x": 4, "c3sqrtx": 4, "rc3x": 4, "c4x": 5}  # Aer only for rccx/rc3x


def random_circuit(n, depth, rng):
    ops = []
    for _ in range(depth):
        order = list(rng.permutation(n))
        while order:
            r = rng.random()
            if r < 0.1 and len(order) >= 3:
                qs = [int(order.pop()) for _ in range(3)]
                ops.append((THREE_Q[rng.integers(len(THREE_Q))], [], qs))
            elif r < 0.5 and len(order) >= 2:
                qs = [int(order.pop()) for _ in range(2)]
                if rng.random() < 0.5:
                    ops.append((TWO_Q[rng.integers(len(TWO_Q))], [], qs))
                else:
                    name = list(TWO_Q_P)[rng.integers(len(TWO_Q_P))]
                    ops.append((name, list(rng.uniform(-math.pi, math.pi, TWO_Q_P[name])), qs))
            else:
                q = [int(order.pop())]
                if rng.random() < 0.5:
                    ops.append((ONE_Q[rng.integers(len(ONE_Q))], [], q))
                else:
                    name = list(ONE_Q_P)[rng.integers(len(ONE_Q_P))]
                    ops.append((name, list(rng.uniform(-math.pi, math.pi, ONE_Q_P[name])), q))
    return ops


def qft(n):
    ops = [("ry", [0.3 + 0.7 * q], [q]) for q in range(n)] + [("rz", [0.2 * q], [q]) for q in range(n)]
    for j in reversed(range(n)):
        ops.append(("h", [], [j]))
        for k in reversed(range(j)):
            ops.append(("cp", [math.pi / 2 ** (j - k)], [k, j]))
    for q in range(n // 2):
        ops.append(("swap", [], [q, n - 1 - q]))
    return ops


def ghz(n):
    return [("h", [], [0])] + [("cx", [], [q, q + 1]) for q in range(n - 1)]


def zoo(n, rng, with_relative_phase):
    """Every gate of the set on random qubits, after a random product state."""
    ops = [("u3", list(rng.uniform(-math.pi, math.pi, 3)), [q]) for q in range(n)]
    table = [(g, 0, 1) for g in ONE_Q] + [(g, k, 1) for g, k in ONE_Q_P.items()]
    table += [(g, 0, 2) for g in TWO_Q] + [(g, k, 2) for g, k in TWO_Q_P.items()]
    table += [(g, 0, 3) for g in THREE_Q] + [(g, 0, k) for g, k in ZOO_ONLY.items()]
    for name, k, arity in table:
        if not with_relative_phase and name in ("rccx", "rc3x"):
            continue
        qs = [int(q) for q in rng.permutation(n)[:arity]]
        ops.append((name, list(rng.uniform(-math.pi, math.pi, k)), qs))
        ops.append(("u3", list(rng.uniform(-math.pi, math.pi, 3)), [qs[0]]))
    return ops


def to_qasm(n, ops):
    lines = ['OPENQASM 2.0;', 'include "qelib1.inc";', f"qreg q[{n}];"]
    for name, params, qs in ops:
        p = "(" + ", ".join(repr(float(x)) for x in params) + ")" if params else ""
        lines.append(f"{name}{p} " + ", ".join(f"q[{q}]" for q in qs) + ";")
    return "\n".join(lines) + "\n"


def run_moesim(binary, n, text, threads):
    with tempfile.NamedTemporaryFile("w", suffix=".qasm", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        out = subprocess.run([binary, "qasm", path, "--amplitudes", "--precision", "double",
                              "--threads", str(threads)], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    psi = np.zeros(2 ** n, dtype=np.complex128)
    for line in out.splitlines():
        bits, re, im = line.split()
        psi[int(bits, 2)] = complex(float(re), float(im))
    return psi


def run_aer(text, threads):
    from qiskit import QuantumCircuit, transpile
    from qiskit_aer import AerSimulator
    qc = QuantumCircuit.from_qasm_str(text)
    qc.save_statevector()
    sim = AerSimulator(method="statevector", precision="double", max_parallel_threads=threads)
    res = sim.run(transpile(qc, sim, optimization_level=0), shots=1).result()
    return np.asarray(res.get_statevector(), dtype=np.complex128)


def cirq_ops(ops, qubits):
    """The circuit in cirq gates, or None if a gate has no cirq counterpart."""
    import cirq

    def u3(t, p, l, q):
        return [cirq.rz(l)(q), cirq.ry(t)(q), cirq.rz(p)(q)]

    def controlled_u(t, p, l, phase, c, q):
        # C-[e^{i phase} U] = P(phase) on c, then C-Rz(l), C-Ry(t), C-Rz(p)
        # with U = e^{i(p+l)/2} Rz(p) Ry(t) Rz(l).
        cg = cirq.ControlledGate
        return [cirq.ZPowGate(exponent=(phase + (p + l) / 2) / math.pi)(c),
                cg(cirq.rz(l))(c, q), cg(cirq.ry(t))(c, q), cg(cirq.rz(p))(c, q)]

    sx = cirq.XPowGate(exponent=0.5)
    simple = {"h": cirq.H, "x": cirq.X, "y": cirq.Y, "z": cirq.Z, "s": cirq.S, "sdg": cirq.S ** -1,
              "t": cirq.T, "tdg": cirq.T ** -1, "sx": sx, "sxdg": sx ** -1, "id": cirq.I,
              "cx": cirq.CNOT, "cy": cirq.ControlledGate(cirq.Y), "cz": cirq.CZ,
              "ch": cirq.ControlledGate(cirq.H), "swap": cirq.SWAP, "csx": cirq.ControlledGate(sx),
              "ccx": cirq.CCX, "cswap": cirq.CSWAP, "c3x": cirq.ControlledGate(cirq.X, num_controls=3),
              "c4x": cirq.ControlledGate(cirq.X, num_controls=4),
              "c3sqrtx": cirq.ControlledGate(sx, num_controls=3)}
    out = []
    for name, p, qs in ops:
        q = [qubits[i] for i in qs]
        if name in simple:
            out.append(simple[name](*q))
        elif name in ("rx", "ry", "rz"):
            out.append(getattr(cirq, name)(p[0])(*q))
        elif name in ("p", "u1"):
            out.append(cirq.ZPowGate(exponent=p[0] / math.pi)(*q))
        elif name == "u2":
            out += u3(math.pi / 2, p[0], p[1], q[0])
        elif name in ("u3", "u"):
            out += u3(p[0], p[1], p[2], q[0])
        elif name in ("cp", "cu1"):
            out.append(cirq.CZPowGate(exponent=p[0] / math.pi)(*q))
        elif name in ("crx", "cry", "crz"):
            out.append(cirq.ControlledGate(getattr(cirq, name[1:])(p[0]))(*q))
        elif name == "rxx":
            out.append(cirq.XXPowGate(exponent=p[0] / math.pi, global_shift=-0.5)(*q))
        elif name == "rzz":
            out.append(cirq.ZZPowGate(exponent=p[0] / math.pi, global_shift=-0.5)(*q))
        elif name == "cu3":
            out += controlled_u(p[0], p[1], p[2], 0.0, q[0], q[1])
        elif name == "cu":
            out += controlled_u(p[0], p[1], p[2], p[3], q[0], q[1])
        else:
            return None
    return out


def run_qsim(n, ops, threads):
    import cirq
    import qsimcirq
    qubits = cirq.LineQubit.range(n)
    gates = cirq_ops(ops, qubits)
    if gates is None:
        return None
    circuit = cirq.Circuit(gates)
    circuit.append(cirq.I.on_each(*qubits))  # every qubit present, even if idle
    sim = qsimcirq.QSimSimulator(qsim_options=qsimcirq.QSimOptions(cpu_threads=threads))
    res = sim.simulate(circuit, qubit_order=qubits[::-1])
    return np.asarray(res.final_state_vector, dtype=np.complex128)


def fidelity(a, b):
    return abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moesim", default=os.path.join(here, "..", "build", "bin", "moesim"))
    ap.add_argument("--quick", action="store_true", help="4 and 8 qubits only (for the test suite)")
    ap.add_argument("--qubits", default="4,8,12,16", help="register sizes, e.g. 4,8,12,16")
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--peers", default="aer,qsim", help="comma-separated subset of aer,qsim")
    args = ap.parse_args()
    sizes = [4, 8] if args.quick else [int(x) for x in args.qubits.split(",")]
    peers = [p for p in args.peers.split(",") if p]
    threshold = {"aer": 1e-10, "qsim": 1e-10}
    rng = np.random.default_rng(args.seed)
    circuits = [("zoo", 6, zoo(6, rng, True)), ("zoo_cirq", 6, zoo(6, rng, False))]
    for n in sizes:
        circuits += [(f"qft{n}", n, qft(n)), (f"ghz{n}", n, ghz(n)),
                     (f"random{n}_d{args.depth}", n, random_circuit(n, args.depth, rng))]
    failed = 0
    for name, n, ops in circuits:
        text = to_qasm(n, ops)
        mine = run_moesim(args.moesim, n, text, args.threads)
        for peer in peers:
            other = run_aer(text, args.threads) if peer == "aer" else run_qsim(n, ops, args.threads)
            if other is None:
                print(f"skip {name} {n} {peer} (gate without a cirq counterpart)")
                continue
            f = fidelity(mine, other)
            ok = 1 - f <= threshold[peer]
            failed += not ok
            print(f"result {name} {n} {peer} fidelity {f:.15f} infidelity {1 - f:.3e} {'ok' if ok else 'FAIL'}",
                  flush=True)
    print(f"summary {len(circuits)} circuits, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
