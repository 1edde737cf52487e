// What a Router decides for a batch of tokens, in the form the Dispatcher and
// Combiner use. Sparse routers list assignments (token, expert, slot, weight)
// — the vmoe convention of check_values.md C; Soft MoE gives dense dispatch and
// combine matrices over slots instead.
#pragma once
#include "core/tensor.hpp"

#include <cstdint>
#include <vector>

namespace moesim {

struct Assignment {
  int token;     // row of the layer input
  int expert;    // 0..E-1
  int slot;      // row in the expert's buffer, 0..capacity-1
  float weight;  // combine weight (gradient flows into the router through it)
};

struct Dispatch {
  int num_tokens = 0;
  int num_experts = 0;
  int capacity = 0;  // slots per expert (buffer rows)
  int choices = 0;   // routing choices requested per token (k), for drop accounting

  // Sparse routing: the kept choices. Dropped choices do not appear: a token
  // with none passes through the residual connection only.
  std::vector<Assignment> assignments;

  // Soft MoE (soft == true): slot inputs = dispatch · X, output = combine · slot outputs.
  bool soft = false;
  HostMatrix dispatch;  // [experts * capacity, tokens]
  HostMatrix combine;   // [tokens, experts * capacity]

  // Diagnostics, computed by the router in forward.
  double aux_loss = 0.0;          // load-balancing loss value (unweighted; 0 if the router has none)
  double z_loss = 0.0;            // router z-loss value (unweighted)
  std::int64_t tokens_dropped = 0;  // routing choices dropped by capacity
  double routing_entropy = 0.0;   // mean over tokens of the router distribution's entropy (nats)
  std::vector<double> expert_load;  // [E] tokens per expert after capacity (soft: summed dispatch weight)
  std::vector<int> top_expert;    // [T] expert of the token's largest weight, -1 if none (MI, specialization)
};

// Gradient of the loss with respect to what the router produced.
struct DispatchGrad {
  std::vector<float> d_weight;  // [assignments]: dL/d assignment.weight
  HostMatrix d_dispatch;        // soft: dL/d dispatch
  HostMatrix d_combine;         // soft: dL/d combine
};

}  // namespace moesim
