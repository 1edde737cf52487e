// The Ledger: what one training step cost, on the axes every substrate is
// compared on — FLOPs, bytes moved, energy (from an energy-per-operation
// table in devices/presets/) — read off the model after its forward pass.
#pragma once
#include "devices/energy_table.hpp"
#include "model/moe_model.hpp"

namespace moesim {

struct StepCost {
  double flops = 0;     // forward + backward (backward counted as 2x forward)
  double bytes = 0;     // dispatch / combine traffic, forward + backward
  double energy_j = 0;  // flops at the fp32 multiply-add energy + bytes at the DRAM energy;
                        // substrate work (ExpertBank::last_forward_substrate_energy) at its own
                        // energy instead
};

class Ledger {
 public:
  explicit Ledger(EnergyTable table) : table_(std::move(table)) {}
  StepCost training_step(const MoEModel& model) const;
  StepCost inference(const MoEModel& model) const;
  const EnergyTable& table() const { return table_; }

 private:
  EnergyTable table_;
};

}  // namespace moesim
