// Digital feed-forward experts, the standard MoE expert (Shazeer et al. 2017,
// Switch, GShard): per expert e
//   y = act(x · W1_e + b1_e) · W2_e + b2_e
// with W1 [d_model, d_ff] (swiglu: [d_model, 2·d_ff], gate half first) and
// W2 [d_ff, d_model]. Two registered families share this implementation:
//   ffn          dense W1 and W2.
//   lowrank_ffn  both W1 and W2 factorised through rank r (experts.rank,
//                default max(1, d_ff/8)): W1 = U1 [d_model, r] · V1 [r, F1],
//                W2 = U2 [d_ff, r] · V2 [r, d_model].
// Parameters (E experts stacked, see stacked_linear.hpp), named
// "layer<L>.experts.<w1|b1|w2|b2>" (factorised: w1.u, w1.v, w2.u, w2.v);
// b1 [E, F1] and b2 [E, d_model] start at zero and have no weight decay.
// Init salts: kExpertInitSalt + 8·layer + (0..5).
//
// Execution: experts run one after another; the parallelism is inside each
// GEMM (fixed tiles, backends/gemm.hpp) and each elementwise kernel
// (backends/kokkos/activations.hpp). Backend::Reference uses the reference GEMM
// and the reference elementwise kernels throughout (the oracle bank). Every
// reduction has a fixed order, so results are bit-identical for any thread count.
//
// Forward caches the input rows, the pre-activations (and x·U for factorised
// maps); the activation itself is recomputed in backward (one cheap
// elementwise pass instead of E·capacity·d_ff floats kept).
#pragma once
#include "backends/reference/activations.hpp"
#include "models/experts/stacked_linear.hpp"
#include "moe/expert_bank.hpp"

namespace moesim {

inline constexpr std::uint64_t kExpertInitSalt = std::uint64_t{1} << 20;

class FfnExpertBank : public ExpertBank {
 public:
  // rank 0: dense (ffn); rank > 0: factorised (lowrank_ffn).
  // Throws UsageError for non-positive sizes (naming model.experts / model.d_model / model.d_ff).
  FfnExpertBank(const ExpertSpec& spec, Activation activation, int rank);

  int num_experts() const override { return experts_; }
  void forward(const HostTensor3& in, const std::vector<int>& counts, HostTensor3& out) override;
  void backward(const HostTensor3& d_out, const std::vector<int>& counts, HostTensor3& d_in) override;
  ParameterList parameters() override;
  double forward_flops(const std::vector<int>& counts) const override;

  Activation activation() const { return activation_; }
  int rank() const { return w1_.rank(); }

 private:
  void check_buffers(const HostTensor3& t, const std::vector<int>& counts, const char* what) const;
  void reserve(std::size_t capacity);

  int experts_, d_model_, d_ff_, f1_;
  Activation activation_;
  Backend backend_;
  StackedLinear w1_, w2_;
  Parameter b1_, b2_;
  HostTensor3 x_cache_;    // [E, capacity, d_model]: the forward input rows
  HostTensor3 pre_cache_;  // [E, capacity, F1]: x·W1 + b1
  HostMatrix act_;         // [capacity, d_ff] scratch: act(pre)
  HostMatrix d_act_;       // [capacity, d_ff] scratch
  HostMatrix d_pre_;       // [capacity, F1] scratch
  std::size_t capacity_ = 0;
};

// Factories (read experts.activation and, for lowrank_ffn, experts.rank from spec.config).
ExpertBankPtr make_ffn_experts(const ExpertSpec& spec);
ExpertBankPtr make_lowrank_ffn_experts(const ExpertSpec& spec);

}  // namespace moesim
