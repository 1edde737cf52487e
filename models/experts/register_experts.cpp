#include "models/experts/register_experts.hpp"

#include "config/config.hpp"
#include "core/registry.hpp"
#include "models/experts/expert_options.hpp"
#include "models/experts/ffn_experts.hpp"

namespace moesim {

void register_expert_families(Registry& registry, ConfigSchema& schema) {
  registry.add_experts("ffn", "dense feed-forward experts: act(x·W1 + b1)·W2 + b2 per expert",
                       make_ffn_experts);
  registry.add_experts("lowrank_ffn",
                       "feed-forward experts with W1 and W2 factorised through rank experts.rank",
                       make_lowrank_ffn_experts);

  KeySpec activation;
  activation.key = kKeyExpertsActivation;
  activation.type = KeyType::Choice;
  activation.default_value = kDefaultExpertActivation;
  activation.help =
      "expert activation: relu, gelu (exact erf, as PyTorch), gelu_tanh (tanh approximation), "
      "swiglu (silu(a)*b, W1 is [d_model, 2*d_ff])";
  activation.choices = expert_activation_choices();
  schema.declare(activation);

  KeySpec rank;
  rank.key = kKeyExpertsRank;
  rank.type = KeyType::Int;
  rank.default_value = "0";
  rank.help = "rank of the W1 and W2 factors of lowrank_ffn experts; 0 means max(1, d_ff/8)";
  rank.min = 0;
  schema.declare(rank);
}

}  // namespace moesim
