// The moe_layer benchmark (see moe_layer_bench.cpp).
#pragma once
#include "bench/bench_report.hpp"

#include <string>

namespace moesim {

class Config;
class Registry;

struct MoeLayerShape {
  int tokens = 8192, d_model = 512, d_ff = 2048, experts = 8, top_k = 2;
  double capacity_factor = 1.25;
  std::string router = "topk";
  int repeats = 3;
};

BenchReport bench_moe_layer(const Registry& registry, const Config& config, const MoeLayerShape& shape);

}  // namespace moesim
