// AdamW, the learning-rate schedule, batch order and the routing metrics,
// against hand-computed values.
#include "train/adamw.hpp"
#include "train/batch_sampler.hpp"
#include "train/metrics.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>

using namespace moesim;

TEST_CASE("AdamW first step moves each weight by lr against the gradient sign", "[train]") {
  Parameter p("w", 1, 3);
  p.value(0, 0) = 1.0f; p.value(0, 1) = -2.0f; p.value(0, 2) = 0.5f;
  p.grad(0, 0) = 0.3f; p.grad(0, 1) = -0.2f; p.grad(0, 2) = 0.0f;
  AdamWSettings s;
  s.lr = 0.1; s.weight_decay = 0.5; s.warmup_steps = 0; s.total_steps = 1; s.grad_clip = 0;
  AdamW opt(s);
  opt.step({&p}, 0);
  // Bias-corrected m̂ = g, v̂ = g²: update = lr·g/(|g|+eps); decay multiplies by 1 − lr·wd.
  CHECK(std::abs(p.value(0, 0) - (1.0 * 0.95 - 0.1)) < 1e-6);
  CHECK(std::abs(p.value(0, 1) - (-2.0 * 0.95 + 0.1)) < 1e-6);
  CHECK(std::abs(p.value(0, 2) - 0.5 * 0.95) < 1e-6);
}

TEST_CASE("gradient clipping scales to the global norm", "[train]") {
  Parameter a("a", 1, 2), b("b", 1, 1);
  a.grad(0, 0) = 3; a.grad(0, 1) = 0; b.grad(0, 0) = 4;  // norm 5
  CHECK(gradient_norm_squared({&a, &b}) == 25.0);
  AdamWSettings s;
  s.lr = 1e-3; s.grad_clip = 1.0; s.weight_decay = 0;
  AdamW opt(s);
  CHECK(opt.step({&a, &b}, 0) == 5.0);
}

TEST_CASE("learning-rate schedule: warm-up then cosine", "[train]") {
  AdamWSettings s;
  s.lr = 1.0; s.warmup_steps = 10; s.total_steps = 110; s.min_lr_fraction = 0.1;
  CHECK(std::abs(scheduled_lr(s, 0) - 0.1) < 1e-12);
  CHECK(std::abs(scheduled_lr(s, 9) - 1.0) < 1e-12);
  CHECK(std::abs(scheduled_lr(s, 10) - 1.0) < 1e-12);
  CHECK(std::abs(scheduled_lr(s, 60) - 0.55) < 1e-12);  // halfway: 0.1 + 0.9·0.5
  CHECK(std::abs(scheduled_lr(s, 110) - 0.1) < 1e-12);
}

TEST_CASE("batch sampler visits every example once per epoch, deterministically", "[train]") {
  BatchSampler a(10, 5, 7), b(10, 5, 7), c(10, 5, 8);
  std::vector<std::size_t> epoch;
  for (int i = 0; i < 2; ++i) {
    const auto& x = a.next();
    CHECK(x == b.next());
    epoch.insert(epoch.end(), x.begin(), x.end());
  }
  std::sort(epoch.begin(), epoch.end());
  for (std::size_t i = 0; i < 10; ++i) CHECK(epoch[i] == i);
  BatchSampler d(10, 5, 7);
  CHECK(d.next() != c.next());
}

TEST_CASE("load CV, mutual information and confidence intervals", "[train][metrics]") {
  CHECK(load_cv({2, 2, 2, 2}) == 0.0);
  CHECK(std::abs(load_cv({1, 3}) - 0.5) < 1e-12);  // std 1, mean 2
  // Perfect specialization: 2 classes on 2 experts → 1 bit; independence → 0.
  CHECK(std::abs(mutual_information_bits({5, 0, 0, 5}, 2, 2) - 1.0) < 1e-12);
  CHECK(std::abs(mutual_information_bits({3, 3, 3, 3}, 2, 2)) < 1e-12);
  // p(c,e) = [[.4,.1],[.1,.4]]: I = 2·.4·log2(1.6) + 2·.1·log2(.4) = 0.27807191
  CHECK(std::abs(mutual_information_bits({4, 1, 1, 4}, 2, 2) - 0.2780719051) < 1e-9);
  const auto ci = mean_ci95({1.0, 2.0, 3.0});
  CHECK(ci.mean == 2.0);
  CHECK(std::abs(ci.ci95 - 4.303 * 1.0 / std::sqrt(3.0)) < 1e-9);
  CHECK(mean_ci95({0.5}).ci95 == 0.0);
}
