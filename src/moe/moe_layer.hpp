// MoELayer = Router -> Dispatcher (gather tokens per expert, with capacity)
// -> ExpertBank -> Combiner (weighted scatter back), forward and backward.
// Gradients flow into the router through the combine weights (and, for Soft
// MoE, the dispatch and combine matrices). Optional DeepSeekMoE shared
// experts process every token and are added to the routed output.
// Dropped tokens get a zero output here and pass through the residual of the
// enclosing block.
#pragma once
#include "backends/gemm.hpp"
#include "backends/moe_kernels.hpp"
#include "moe/expert_bank.hpp"
#include "moe/router.hpp"

#include <memory>
#include <vector>

namespace moesim {

struct LayerStats {  // what the Ledger and the trace read after forward
  double router_flops = 0, expert_flops = 0, shared_flops = 0, dispatch_bytes = 0;
  SubstrateEnergy substrate;  // routed + shared experts' non-digital forward work (ExpertBank)
};

// Wall time per phase, accumulated over forward and backward calls until
// reset (benchmarks read it; training ignores it).
struct LayerTimings {
  double router_s = 0;    // router forward + backward
  double dispatch_s = 0;  // gather + combine (or Soft MoE mixing) and their backward
  double experts_s = 0;   // routed and shared experts, forward + backward
};

class MoELayer {
 public:
  MoELayer(RouterPtr router, ExpertBankPtr experts, ExpertBankPtr shared_experts, Backend backend);

  // y [T, d] = MoE(x [T, d]). x must stay alive and unchanged until backward.
  void forward(const HostMatrix& x, const RouteContext& ctx, HostMatrix& y);
  // dx [T, d] += dL/dx given dy = dL/dy; accumulates every parameter gradient,
  // including aux_coef · aux_loss and z_coef · z_loss of the router.
  void backward(const HostMatrix& x, const HostMatrix& dy, double aux_coef, double z_coef,
                HostMatrix& dx);

  const Dispatch& dispatch() const { return dispatch_; }
  const LayerStats& stats() const { return stats_; }
  const LayerTimings& timings() const { return timings_; }
  void reset_timings() { timings_ = {}; }
  ParameterList parameters();
  Router& router() { return *router_; }
  // The banks' trace record of the last forward (ExpertBank::write_trace):
  // routed experts as population "layer<layer>.expert<e>", shared experts as
  // "layer<layer>.shared<e>"; at most max_tokens tokens per expert.
  void write_trace(RunWriter& writer, std::int64_t seed, std::int64_t step, int layer, int max_tokens);

 private:
  void ensure_buffers(int experts, int capacity, int d);

  RouterPtr router_;
  ExpertBankPtr experts_;
  ExpertBankPtr shared_;  // may be null
  Backend backend_;
  HostExec exec_;

  Dispatch dispatch_;
  TokenIndex by_token_;
  std::vector<int> counts_;
  HostTensor3 in_buf_, out_buf_, d_out_buf_, d_in_buf_;
  HostTensor3 shared_out_, shared_d_in_;
  LayerStats stats_;
  LayerTimings timings_;
};

}  // namespace moesim
