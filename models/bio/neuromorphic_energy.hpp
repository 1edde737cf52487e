// Energy per event of a neuromorphic chip (devices/presets/neuromorphic_<name>.ini,
// e.g. Loihi, Davies et al. 2018, Table 2), and the event counts a spiking
// computation reports. Spiking experts price their forward pass with it; the
// digital parts of the model stay on the Ledger's energy table.
#pragma once
#include <string>
#include <vector>

namespace moesim::bio {

struct NeuromorphicEnergy {
  std::string name, path, source;
  double synaptic_spike_op_j = 0;      // one spike delivered through one synapse
  double synaptic_update_stdp_j = 0;   // one on-chip learning update of one synapse
  double neuron_update_active_j = 0;   // one neuron, one step, when it spikes
  double neuron_update_inactive_j = 0; // one neuron, one step, no spike
  double within_tile_spike_j = 0;
  double tile_hop_east_west_j = 0, tile_hop_north_south_j = 0;
};

// The [neuromorphic] keys every such preset sets (picojoules), in file order.
const std::vector<std::string>& neuromorphic_energy_keys();

// Loads neuromorphic_<name>.ini from the presets directory (MOESIM_PRESETS
// first), or a path (contains '/' or ends in .ini). UsageError naming
// spiking.energy_preset for an unknown name (lists the available ones);
// DataError for a malformed file (names file and key).
NeuromorphicEnergy load_neuromorphic_energy(const std::string& name_or_path);

// Events of one spiking forward pass.
struct SpikeEvents {
  double synaptic_ops = 0;     // spikes × fan-out (each delivery through one synapse)
  double active_updates = 0;   // neuron-steps with a spike
  double inactive_updates = 0; // neuron-steps without
  double energy_j(const NeuromorphicEnergy& e) const {
    return synaptic_ops * e.synaptic_spike_op_j + active_updates * e.neuron_update_active_j +
           inactive_updates * e.neuron_update_inactive_j;
  }
};

}  // namespace moesim::bio
