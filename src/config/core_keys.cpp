// The core configuration keys (DESIGN.md §3): experiment.*, model.*, train.*,
// trace.*. Routers and expert families add the choices of model.router and
// model.expert_type when they register (ConfigSchema::add_choice).
#include "config/config.hpp"
#include "train/experiment.hpp"

#include <optional>

namespace moesim {

void declare_core_keys(ConfigSchema& schema) {
  using K = KeyType;
  // experiment
  schema.declare(make_key("experiment.variants", K::List, "switch,gshard,expert_choice,soft_moe,dense,hash",
                     "variants to compare: registered routers or [variant.NAME] sections"));
  schema.declare(make_key("experiment.seeds", K::IntList, "1",
                     "seeds to run every variant with (several: mean and 95% CI)", 0.0));
  // model
  schema.declare(make_key("model.router", K::Choice, "switch",
                     "the router when experiment.variants is not set"));
  schema.declare(make_key("model.experts", K::Int, "8", "experts per MoE layer", 1.0));
  schema.declare(make_key("model.top_k", K::Int, "2", "experts chosen per token", 1.0));
  schema.declare(make_key("model.capacity_factor", K::Real, "1.25",
                     "expert capacity = ceil(cf * tokens * top_k / experts)", 0.0, true));
  schema.declare(make_key("model.expert_type", K::Choice, "ffn", "expert family"));
  schema.declare(make_key("model.layers", K::Int, "2", "number of MoE layers", 1.0));
  schema.declare(make_key("model.d_model", K::Int, "64", "model (token) width", 1.0));
  schema.declare(make_key("model.d_ff", K::Int, "128", "hidden width of each expert", 1.0));
  schema.declare(make_key("model.shared_experts", K::Int, "0",
                     "DeepSeekMoE shared experts applied to every token", 0.0));
  schema.declare(make_key("model.expert_granularity", K::Int, "1",
                     "DeepSeekMoE fine-grained segmentation m: experts*m, d_ff/m, top_k*m", 1.0));
  schema.declare(make_key("model.aux_loss_coef", K::Real, "0.01", "load-balancing loss coefficient", 0.0));
  schema.declare(make_key("model.z_loss_coef", K::Real, "0.001", "router z-loss coefficient", 0.0));
  schema.declare(make_key("model.dropout", K::Real, "0",
                          "inverted dropout on the input projection and each MoE branch (training only)",
                          0.0, false, 1.0, true));
  schema.declare(make_key("model.expert_dropout", K::Real, "0",
                     "expert dropout: probability that an expert is masked out of routing for a training step", 0.0, false, 1.0, true));
  schema.declare(make_key("model.backend", K::Choice, "blas", "compute backend for dense kernels",
                     std::nullopt, false, std::nullopt, false, {"reference", "blas"}));
  // train
  schema.declare(make_key("train.steps", K::Int, "400", "training steps", 1.0));
  schema.declare(make_key("train.batch_size", K::Int, "256", "tokens (examples) per training step", 1.0));
  schema.declare(make_key("train.lr", K::Real, "0.003", "learning rate", 0.0, true));
  schema.declare(make_key("train.weight_decay", K::Real, "0.01", "decoupled weight decay", 0.0));
  schema.declare(make_key("train.warmup", K::Int, "", "learning-rate warmup steps (default: steps/20)", 0.0));
  schema.declare(make_key("train.eval_every", K::Int, "",
                     "evaluate on the validation set every N steps (default: steps/10)", 1.0));
  schema.declare(make_key("train.grad_clip", K::Real, "1.0", "global gradient-norm clip (0 = off)", 0.0));
  schema.declare(make_key("train.router_optimizer", K::Choice, "gradient",
                          "how the router (gate) parameters are trained: gradient (AdamW with the rest) or "
                          "a swarm algorithm over the validation loss (swarm.* keys)",
                          std::nullopt, false, std::nullopt, false, {"gradient"}));
  // trace
  schema.declare(make_key("trace.level", K::Choice, "full", "what the trace records",
                     std::nullopt, false, std::nullopt, false, {"summary", "metrics", "full"}));
  schema.declare(make_key("trace.flush_every", K::Int, "50", "flush the trace every N steps", 1.0));
  schema.declare(make_key("trace.assignment_tokens", K::Int, "64",
                     "routing decisions sampled per traced step", 0.0));
  schema.declare(make_key("trace.energy_table", K::String, "horowitz45nm",
                     "energy-per-operation preset name"));
}

}  // namespace moesim
