#!/usr/bin/env python3
"""`moesim bench statevector` next to qsim and Qiskit Aer, same run, same threads.

For each register size it prints one JSON line per impl with the keys of
`moesim bench statevector --json` (DESIGN.md §3): bench, impl, threads,
seconds (per gate), qubits, precision, ns_per_gate, bandwidth_gb_s and
bandwidth_fraction. The bandwidth is the one moesim measured in this run (an
in-place a*x+b sweep over a buffer of the state's size, same threads), so the
fractions of all impls share one denominator.

How the peers are timed (a dense single-qubit gate, averaged over targets):
  * qsim (qsimcirq.QSimSimulator, cpu_threads = threads, single precision,
    its only one): a circuit with one dense gate (u3 as a cirq.MatrixGate) on
    every qubit, max_fused_gate_size = 1 so nothing is fused; minus the same
    simulate() call on an empty circuit over the same qubits (allocation,
    initialisation and the copy of the state to numpy), divided by n.
  * Qiskit Aer (AerSimulator, method statevector, precision as asked,
    max_parallel_threads = threads, fusion disabled so that every gate is
    applied): one u gate on every qubit minus an empty circuit, divided by n.
Each timing keeps the best of --repeats runs.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # Aer and qsim use OpenMP; no spinning on a shared machine

import numpy as np


def u3_matrix(theta, phi, lam):
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return np.array([[c, -np.exp(1j * lam) * s], [np.exp(1j * phi) * s, np.exp(1j * (phi + lam)) * c]])


def best_of(fn, repeats):
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def time_qsim(n, threads, repeats):
    import cirq
    import qsimcirq
    qubits = cirq.LineQubit.range(n)
    gate = cirq.MatrixGate(u3_matrix(0.7, 0.3, -1.1))
    full = cirq.Circuit([gate(q) for q in qubits])
    empty = cirq.Circuit()
    sim = qsimcirq.QSimSimulator(qsim_options=qsimcirq.QSimOptions(cpu_threads=threads, max_fused_gate_size=1))
    sim.simulate(full, qubit_order=qubits)  # warm-up
    t_full = best_of(lambda: sim.simulate(full, qubit_order=qubits), repeats)
    t_empty = best_of(lambda: sim.simulate(empty, qubit_order=qubits), repeats)
    return (t_full - t_empty) / n


def time_aer(n, threads, precision, repeats):
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator
    full = QuantumCircuit(n)
    for q in range(n):
        full.u(0.7, 0.3, -1.1, q)
    full.save_statevector()
    empty = QuantumCircuit(n)
    empty.save_statevector()
    sim = AerSimulator(method="statevector", precision="single" if precision == "float" else "double", max_parallel_threads=threads,
                       fusion_enable=False)
    sim.run(full, shots=1).result()  # warm-up
    t_full = best_of(lambda: sim.run(full, shots=1).result(), repeats)
    t_empty = best_of(lambda: sim.run(empty, shots=1).result(), repeats)
    return (t_full - t_empty) / n


def line(impl, threads, n, precision, seconds, bandwidth):
    state_bytes = 2 ** n * (8 if precision == "float" else 16)
    return {"bench": "statevector", "impl": impl, "threads": threads, "seconds": seconds, "qubits": n,
            "precision": precision, "ns_per_gate": seconds * 1e9, "bandwidth_gb_s": bandwidth / 1e9,
            "bandwidth_fraction": (2 * state_bytes / seconds) / bandwidth}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moesim", default=os.path.join(here, "..", "build", "bin", "moesim"))
    ap.add_argument("--qubits", default="20,24,26,28")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", default="float", choices=["float", "double"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--peers", default="qsim,aer")
    args = ap.parse_args()
    env = dict(os.environ, OMP_WAIT_POLICY="passive")
    for n in [int(x) for x in args.qubits.split(",")]:
        out = subprocess.run([args.moesim, "bench", "statevector", "--json", "--threads", str(args.threads),
                              "--set", f"qubits={n}", "--set", f"precision={args.precision}"],
                             check=True, capture_output=True, text=True, env=env).stdout
        mine = json.loads(out.strip().splitlines()[-1])
        print(json.dumps(mine), flush=True)
        bandwidth = mine["bandwidth_gb_s"] * 1e9
        for peer in [p for p in args.peers.split(",") if p]:
            if peer == "qsim":
                if args.precision != "float":
                    print(f"# qsim computes in single precision only; no double figure", flush=True)
                    continue
                s = time_qsim(n, args.threads, args.repeats)
            else:
                s = time_aer(n, args.threads, args.precision, args.repeats)
            print(json.dumps(line(peer, args.threads, n, args.precision, s, bandwidth)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
