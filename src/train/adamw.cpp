#include "train/adamw.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace moesim {

double scheduled_lr(const AdamWSettings& s, int step) {
  if (s.warmup_steps > 0 && step < s.warmup_steps) return s.lr * double(step + 1) / s.warmup_steps;
  const int decay_steps = std::max(1, s.total_steps - s.warmup_steps);
  const double progress = std::min(1.0, double(step - s.warmup_steps) / decay_steps);
  const double cosine = 0.5 * (1.0 + std::cos(3.141592653589793 * progress));
  return s.lr * (s.min_lr_fraction + (1.0 - s.min_lr_fraction) * cosine);
}

double gradient_norm_squared(const ParameterList& params) {
  constexpr std::size_t kBlock = 4096;  // fixed: never derived from the thread count
  double total = 0.0;
  for (const Parameter* p : params) {
    const float* g = p->grad.data();
    const std::size_t n = p->grad.size();
    const std::size_t blocks = (n + kBlock - 1) / kBlock;
    std::vector<double> partial(blocks, 0.0);
    double* out = partial.data();
    Kokkos::parallel_for("grad_norm_blocks", Kokkos::RangePolicy<HostExec>(0, blocks),
                         [=](std::size_t b) {
                           double acc = 0.0;
                           const std::size_t end = std::min(n, (b + 1) * kBlock);
                           for (std::size_t i = b * kBlock; i < end; ++i) acc += double(g[i]) * g[i];
                           out[b] = acc;
                         });
    for (double v : partial) total += v;
  }
  return total;
}

double AdamW::step(const ParameterList& params, int step) {
  const double norm = std::sqrt(gradient_norm_squared(params));
  const float scale =
      (s_.grad_clip > 0 && norm > s_.grad_clip) ? static_cast<float>(s_.grad_clip / norm) : 1.0f;
  const double lr = scheduled_lr(s_, step);
  const double bc1 = 1.0 - std::pow(s_.beta1, step + 1), bc2 = 1.0 - std::pow(s_.beta2, step + 1);
  const float b1 = float(s_.beta1), b2 = float(s_.beta2);
  const float step_size = float(lr / bc1);
  const float inv_sqrt_bc2 = float(1.0 / std::sqrt(bc2));
  const float eps = float(s_.eps);
  for (Parameter* p : params) {
    float* w = p->value.data();
    const float* g = p->grad.data();
    float* m = p->adam_m.data();
    float* v = p->adam_v.data();
    const float decay = p->decay ? float(1.0 - lr * s_.weight_decay) : 1.0f;
    Kokkos::parallel_for("adamw", Kokkos::RangePolicy<HostExec>(0, p->value.size()),
                         [=](std::size_t i) {
                           const float gi = g[i] * scale;
                           m[i] = b1 * m[i] + (1.0f - b1) * gi;
                           v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
                           w[i] = w[i] * decay - step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + eps);
                         });
  }
  return norm;
}

}  // namespace moesim
