#!/usr/bin/env python3
"""`moesim bench snn` next to Brian2's C++ standalone mode, in the same run.

Both simulate Brian2's examples/CUBA (check_values.md) for 1 s of biological
time at dt 0.1 ms. Timed: the simulation only, as a median over --repeats runs:
  moesim   `moesim bench snn --json --threads T --set repeats=R` (its `seconds`,
           the time-step loop; connectivity build excluded, reported as
           build_seconds)
  brian2   set_device('cpp_standalone'), compiled once (compile time excluded,
           reported as compile_seconds), the binary run R times; `seconds` is
           Brian2's own run time of the network (device._last_run_time:
           Network::run inside the binary, synapse creation excluded). Brian2
           times a run without OpenMP with std::clock(), i.e. process CPU
           time (key timer "cpu"), with OpenMP with omp_get_wtime() ("wall");
           the speedup line compares moesim's cpu_seconds or seconds
           accordingly (on an idle machine the two agree at one thread).
           OpenMP threads = T (prefs.devices.cpp_standalone.openmp_threads;
           1 thread = 0, no OpenMP).

One JSON line per (impl, threads) with the DESIGN.md §3 keys (bench, impl,
threads, seconds, neurons, synapses, spikes, synaptic_events,
synaptic_events_per_s, precision, ...), then a line
`speedup_vs_brian2 threads <T> precision <P> timer <cpu|wall> <x>` (Brian2 seconds / moesim
seconds at the same thread count and precision; Brian2's precision is
prefs.core.default_float_dtype).

  tools/bench_snn_peers.py                         # 1 thread, fp64 and fp32, 5 repeats
  tools/bench_snn_peers.py --threads 1,2 --moesim build/bin/moesim
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from brian2_cuba import N_EXC, N_INH, build_cuba

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def moesim_lines(binary, threads, repeats, seed, precisions):
    cmd = [binary, "bench", "snn", "--json", "--threads", str(threads), "--set", "repeats=%d" % repeats,
           "--set", "seed=%d" % seed, "--set", "precision=" + ",".join(precisions)]
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "passive"))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    lines = {}
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("{"):
            d = json.loads(line)
            lines[d["precision"]] = d
    if sorted(lines) != sorted(precisions):
        raise RuntimeError("moesim bench snn printed no JSON line for each precision: " + out)
    return lines


def brian2_line(threads, repeats, seed, precision):
    import numpy as np
    import brian2 as b2
    from brian2 import ms, second
    work = tempfile.mkdtemp(prefix="bench_snn_brian2_")
    try:
        b2.set_device("cpp_standalone", directory=work, build_on_run=False)
        b2.start_scope()
        b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads == 1 else threads
        b2.prefs.core.default_float_dtype = np.float32 if precision == "fp32" else np.float64
        b2.defaultclock.dt = 0.1 * ms
        b2.seed(seed)
        P, Ce, Ci = build_cuba(b2)
        mon = b2.SpikeMonitor(P)
        b2.Network(P, Ce, Ci, mon).run(1 * second)
        t0 = time.time()
        b2.device.build(directory=work, compile=True, run=True, with_output=False)
        first = time.time() - t0
        times = [b2.device._last_run_time]
        for _ in range(repeats - 1):
            b2.device.run(directory=work, with_output=False)
            times.append(b2.device._last_run_time)
        spikes_i = np.asarray(mon.i)
        degree = np.bincount(np.asarray(Ce.i), minlength=N_EXC + N_INH) + \
            np.bincount(np.asarray(Ci.i), minlength=N_EXC + N_INH)
        events = int(degree[spikes_i].sum())
        seconds = statistics.median(times[1:] if len(times) > 2 else times)
        return {
            "bench": "snn", "impl": "brian2_cpp_standalone", "threads": threads, "seconds": seconds,
            "network": "cuba", "simulated_s": 1.0, "dt_ms": 0.1, "precision": precision,
            "neurons": N_EXC + N_INH, "synapses": int(len(Ce.i) + len(Ci.i)), "spikes": int(len(spikes_i)),
            "synaptic_events": events, "synaptic_events_per_s": events / seconds,
            "compile_seconds": first - times[0], "brian2_version": b2.__version__,
            # network.cpp: std::clock() (process CPU time) without OpenMP, omp_get_wtime() with it.
            "timer": "cpu" if threads == 1 else "wall",
        }
    finally:
        b2.device.reinit()
        b2.set_device("runtime")
        b2.prefs.core.default_float_dtype = np.float64
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moesim", default=os.path.join(ROOT, "build", "bin", "moesim"), help="moesim binary")
    ap.add_argument("--threads", default="1", help="comma-separated thread counts (default 1)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per side (median; default 5)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--precision", default="fp64,fp32",
                    help="state precisions (Brian2: prefs.core.default_float_dtype), default fp64,fp32")
    ap.add_argument("--no-brian2", action="store_true", help="moesim side only")
    args = ap.parse_args()
    if not os.path.exists(args.moesim):
        sys.exit("bench_snn_peers: moesim binary not found: %s (use --moesim)" % args.moesim)
    threads = [int(t) for t in args.threads.split(",")]
    precisions = [p for p in args.precision.split(",") if p]
    if not precisions or any(p not in ("fp64", "fp32") for p in precisions):
        sys.exit("bench_snn_peers: --precision takes fp64 and/or fp32")
    for t in threads:
        m = moesim_lines(args.moesim, t, args.repeats, args.seed, precisions)
        for p in precisions:
            print(json.dumps(m[p]), flush=True)
            if args.no_brian2:
                continue
            b = brian2_line(t, args.repeats, args.seed, p)
            print(json.dumps(b), flush=True)
            # Like with like: Brian2's single-thread run time is CPU time.
            mine = m[p]["cpu_seconds"] if b["timer"] == "cpu" else m[p]["seconds"]
            print("speedup_vs_brian2 threads %d precision %s timer %s %.3f"
                  % (t, p, b["timer"], b["seconds"] / mine), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
