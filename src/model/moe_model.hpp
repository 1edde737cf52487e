// The classifier every variant trains: input projection -> N residual MoE
// blocks (pre-norm: h += MoE(LN(h))) -> final LayerNorm -> linear head.
// Variants differ only in the router (and whatever keys their variant
// section overrides); everything else is initialised from the same seed.
#pragma once
#include "core/registry.hpp"
#include "model/layer_norm.hpp"
#include "model/linear.hpp"
#include "moe/moe_layer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace moesim {

class Config;

struct ModelSpec {
  int d_in = 0, num_classes = 0;
  int d_model = 64, layers = 2;
  int experts = 8, top_k = 2, d_ff = 128;
  int shared_experts = 0;       // DeepSeekMoE: experts applied to every token
  int expert_granularity = 1;   // DeepSeekMoE fine-grained segmentation m
  double capacity_factor = 1.25;
  double dropout = 0.0;         // inverted dropout on the input projection and each MoE branch
  std::string router = "switch", expert_type = "ffn";
  std::uint64_t seed = 0;
  Backend backend = Backend::Blas;
  const Config* config = nullptr;

  // After fine-grained segmentation: E·m experts of d_ff/m, top_k·m choices.
  int routed_experts() const { return experts * expert_granularity; }
  int routed_top_k() const { return top_k * expert_granularity; }
  int routed_d_ff() const { return d_ff / expert_granularity; }

  // What layer `layer`'s router and routed experts are built from.
  RouterSpec router_spec(int layer) const;
  ExpertSpec expert_spec(int layer) const;
};

// out = a ⊙ b elementwise (out may alias a).
void multiply(const HostMatrix& a, const HostMatrix& b, HostMatrix& out);

// Reads model.* keys of a (variant) configuration.
ModelSpec model_spec_from_config(const Config& config, int d_in, int num_classes, std::uint64_t seed);

class MoEModel {
 public:
  MoEModel(const Registry& registry, const ModelSpec& spec);

  // logits [B, classes] for features x [B, d_in]; caches activations.
  void forward(const HostMatrix& x, const RouteContext& ctx, HostMatrix& logits);
  // Backpropagates dL/dlogits and the routers' weighted losses; accumulates grads.
  void backward(const HostMatrix& d_logits, double aux_coef, double z_coef);

  ParameterList parameters();
  void zero_grad();
  int num_layers() const { return static_cast<int>(blocks_.size()); }
  MoELayer& layer(int l) { return *blocks_[l].moe; }
  const ModelSpec& spec() const { return spec_; }

  double aux_loss() const;  // Σ over layers of the last forward
  double z_loss() const;
  double forward_flops() const;  // of the last forward, dense parts included
  double dispatch_bytes() const;
  SubstrateEnergy substrate_energy() const;  // of the last forward, summed over layers

 private:
  struct Block {
    std::unique_ptr<LayerNorm> norm;
    std::unique_ptr<MoELayer> moe;
    HostMatrix normed, moe_out;  // cached for backward
  };
  void ensure_buffers(std::size_t batch);
  // Draws the dropout mask of `site` (0 = input, 1 + l = MoE branch l) for
  // this step and multiplies it into m; masks_[site] keeps it for backward.
  void apply_dropout(int site, std::uint64_t step, HostMatrix& m);

  ModelSpec spec_;
  Linear input_;
  std::vector<Block> blocks_;
  LayerNorm final_norm_;
  Linear head_;
  HostMatrix x_, h_, final_normed_, d_h_, d_normed_, d_final_, d_branch_;
  std::vector<HostMatrix> masks_;  // [1 + layers] dropout masks (0 or 1/(1-p)) of the last forward
  bool dropout_active_ = false;
  double dense_flops_ = 0;
};

}  // namespace moesim
