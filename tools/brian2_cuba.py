"""Brian2's examples/CUBA network (check_values.md), shared by the tools that run it.

4000 LIF neurons (3200 exc, 800 inh), tau_m 20, tau_e 5, tau_i 10 ms,
Vt -50, Vr -60, El -49 mV, refractory 5 ms, exact integration, V0 ~ U[Vr, Vt],
ge = gi = 0, p = 0.02 with self-connections, we 1.62 mV, wi -9 mV, no delay.
The caller sets the device, clock, seed and float type before building.
"""

N_EXC, N_INH = 3200, 800
N = N_EXC + N_INH

EQS = """dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
         dge/dt = -ge/taue : volt
         dgi/dt = -gi/taui : volt"""


def build_cuba(b2):
    """Creates the neurons and the two synapse groups; returns (P, Ce, Ci)."""
    from brian2 import ms, mV
    ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV, Vr=-60 * mV, El=-49 * mV,
              we=(60 * 0.27 / 10) * mV, wi=(-20 * 4.5 / 10) * mV)
    P = b2.NeuronGroup(N, EQS, threshold="v>Vt", reset="v = Vr", refractory=5 * ms, method="exact", namespace=ns)
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    Ce = b2.Synapses(P, P, on_pre="ge += we", namespace=ns)
    Ci = b2.Synapses(P, P, on_pre="gi += wi", namespace=ns)
    Ce.connect("i<%d" % N_EXC, p=0.02)
    Ci.connect("i>=%d" % N_EXC, p=0.02)
    return P, Ce, Ci
