#!/usr/bin/env python3
"""One neuron of moesim's spiking models simulated by Brian2, for the peer test
in tests/test_spiking_neurons.cpp ("single neurons match Brian2").

Prints the membrane potential after every step and the spike steps, so the
C++ models can be compared step by step:
  <model> v <step> <mV after that step, 17 significant digits>
  <model> spike <step>    (Brian2's spike time / dt)

  --model cuba  current-based LIF (moesim lif_exp), Brian2 method 'exact'
  --model coba  conductance-based LIF (moesim conductance_lif with the
                kExponentialEuler scheme), Brian2 method 'exponential_euler'

Parameters are those of the test (Brian2's CUBA neuron; the COBA neuron of
Brette et al. 2007 with a 15 mV drive), initial state v0, ge0, gi0 given on
the command line (per model, in the order of --model). numpy code
generation: no compiler needed. Several models run in one process (Brian2's
import dominates the run time).

  tools/brian2_neuron_trace.py --model coba --steps 2000 --v0=-70 --ge0=2 --gi0=1
  tools/brian2_neuron_trace.py --model cuba,coba --v0=-70,-70 --ge0=3,2 --gi0=-2,1
"""
import argparse
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="comma-separated: cuba, coba")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--dt", type=float, default=0.1, help="ms")
    ap.add_argument("--v0", default="-60", help="mV, one per model (comma-separated)")
    ap.add_argument("--ge0", default="0", help="one per model")
    ap.add_argument("--gi0", default="0", help="one per model")
    args = ap.parse_args()
    models = args.model.split(",")
    per_model = {}
    for key in ("v0", "ge0", "gi0"):
        values = [float(x) for x in getattr(args, key).split(",")]
        if len(values) == 1:
            values *= len(models)
        if len(values) != len(models):
            ap.error("--%s needs one value per model" % key)
        per_model[key] = values
    for k, model in enumerate(models):
        if model not in ("cuba", "coba"):
            ap.error("unknown model %r (accepted: cuba, coba)" % model)
        run_model(model, args.steps, args.dt, per_model["v0"][k], per_model["ge0"][k], per_model["gi0"][k])


def run_model(model, steps, dt, v0, ge0, gi0):
    import brian2 as b2
    from brian2 import ms, mV

    b2.start_scope()
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = dt * ms
    ns = {"taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms, "Vt": -50 * mV, "Vr": -60 * mV}
    if model == "cuba":
        ns["El"] = -49 * mV
        eqs = """dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
                 dge/dt = -ge / taue : volt
                 dgi/dt = -gi / taui : volt"""
        method = "exact"
        unit = mV
    else:
        ns.update({"El": -60 * mV, "Ee": 0 * mV, "Ei": -80 * mV, "I": 15 * mV})
        eqs = """dv/dt = ((El - v) + ge * (Ee - v) + gi * (Ei - v) + I) / taum : volt (unless refractory)
                 dge/dt = -ge / taue : 1
                 dgi/dt = -gi / taui : 1"""
        method = "exponential_euler"
        unit = 1
    g = b2.NeuronGroup(1, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method=method,
                       namespace=ns)
    g.v = v0 * mV
    g.ge = ge0 * unit
    g.gi = gi0 * unit
    # StateMonitor records at the start of a step: the value after the
    # previous step. Run one extra step to see the last one.
    mon = b2.StateMonitor(g, "v", record=0)
    spikes = b2.SpikeMonitor(g)
    b2.run((steps + 1) * dt * ms)
    v = np.asarray(mon.v[0] / mV)
    out = sys.stdout
    for n in range(steps):
        out.write("%s v %d %.17g\n" % (model, n, v[n + 1]))
    for t in np.asarray(spikes.t / ms):
        out.write("%s spike %d\n" % (model, int(round(t / dt))))


if __name__ == "__main__":
    main()
