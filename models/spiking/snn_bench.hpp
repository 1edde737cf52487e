// `moesim bench snn` (DESIGN.md §3): Brian2's CUBA network, 1 s simulated, on
// the current threads, one line per state precision (fp64, fp32). Keys: bench, impl, threads, seconds (the simulation
// loop of 1 s simulated, median of the repeats; connectivity build excluded,
// as in Brian2's run time, reported as build_seconds; cpu_seconds: the same
// loop in process CPU time, what Brian2's single-thread run time measures),
// neurons, synapses,
// spikes, synaptic_events, synaptic_events_per_s, and the physical-limit
// ratio scatter_fraction: synaptic_events_per_s over the rate of a bare
// indexed scatter-add (target[idx] += w over the same number of events into a
// target array of the same size, random targets, measured in the same run on
// the same threads) — the rate at which events could be delivered if neuron
// updates, spike detection and recording were free.
#pragma once

namespace moesim {
class Registry;
void register_spiking_benchmarks(Registry& registry);
}  // namespace moesim
