#include "train/ledger.hpp"

namespace moesim {

StepCost Ledger::inference(const MoEModel& model) const {
  StepCost c;
  c.flops = model.forward_flops();
  c.bytes = model.dispatch_bytes();
  // Forward work on a non-digital substrate (spiking experts) is priced by
  // that substrate, not by the digital table.
  const SubstrateEnergy sub = model.substrate_energy();
  c.energy_j = table_.flop_energy_j(c.flops - sub.flops) + sub.energy_j +
               table_.dram_bytes_energy_j(c.bytes);
  return c;
}

StepCost Ledger::training_step(const MoEModel& model) const {
  // Backward of a GEMM is two GEMMs of the same size (input and weight
  // gradients): the usual 3x forward for a training step; traffic doubles.
  StepCost c = inference(model);
  c.flops *= 3.0;
  c.bytes *= 2.0;
  // Substrate work is the forward only; its backward (2x) stays digital.
  const SubstrateEnergy sub = model.substrate_energy();
  c.energy_j = table_.flop_energy_j(c.flops - sub.flops) + sub.energy_j +
               table_.dram_bytes_energy_j(c.bytes);
  return c;
}

}  // namespace moesim
