// AdamW (Loshchilov & Hutter 2019) with linear warm-up and cosine decay, and
// global-norm gradient clipping computed with a fixed-block reduction so that
// it is bit-identical for any thread count.
#pragma once
#include "core/parameter.hpp"

namespace moesim {

struct AdamWSettings {
  double lr = 3e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01;
  int warmup_steps = 0, total_steps = 1;
  double min_lr_fraction = 0.1;  // cosine decays to this fraction of lr
  double grad_clip = 1.0;        // global L2 norm; 0 = off
};

// Learning rate at 0-based step: linear warm-up to lr, then cosine to min.
double scheduled_lr(const AdamWSettings& s, int step);

// Σ over all gradients of g², reduced in fixed blocks combined in index order.
double gradient_norm_squared(const ParameterList& params);

class AdamW {
 public:
  explicit AdamW(const AdamWSettings& s) : s_(s) {}
  // One update at 0-based `step`; clips first. Returns the pre-clip gradient norm.
  double step(const ParameterList& params, int step);

 private:
  AdamWSettings s_;
};

}  // namespace moesim
