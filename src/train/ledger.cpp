#include "train/ledger.hpp"

namespace moesim {

StepCost Ledger::inference(const MoEModel& model) const {
  StepCost c;
  c.flops = model.forward_flops();
  c.bytes = model.dispatch_bytes();
  c.energy_j = table_.flop_energy_j(c.flops) + table_.dram_bytes_energy_j(c.bytes);
  return c;
}

StepCost Ledger::training_step(const MoEModel& model) const {
  // Backward of a GEMM is two GEMMs of the same size (input and weight
  // gradients): the usual 3x forward for a training step; traffic doubles.
  StepCost c = inference(model);
  c.flops *= 3.0;
  c.bytes *= 2.0;
  c.energy_j = table_.flop_energy_j(c.flops) + table_.dram_bytes_energy_j(c.bytes);
  return c;
}

}  // namespace moesim
