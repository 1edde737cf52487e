// A Router scores tokens and returns a Dispatch. Every routing family (softmax
// top-k, Switch, GShard, Expert Choice, Soft MoE, hash, Sinkhorn, ...) and
// every substrate router (quantum, crossbar, stigmergic, ...) is one Router.
#pragma once
#include "core/parameter.hpp"
#include "core/tensor.hpp"
#include "moe/dispatch.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace moesim {

class Config;
class RunWriter;

// Everything a router needs to be built, resolved from the configuration.
struct RouterSpec {
  int d_model = 0;
  int num_experts = 0;
  int top_k = 1;
  double capacity_factor = 1.0;  // capacity = ceil(cf * tokens * k / E); <= 0 never (validated)
  std::uint64_t seed = 0;
  int layer = 0;               // index of the MoE layer (salts initialisation)
  const Config* config = nullptr;  // for router-specific keys (router.*)
};

struct RouteContext {
  bool training = true;
  std::uint64_t step = 0;       // training step (keys noise and random dispatch)
  const std::uint64_t* token_ids = nullptr;  // [tokens] stable example ids (hash routing)
  const int* token_clusters = nullptr;  // [tokens] ground-truth clusters (Gaussian mixture), or null
};

// What the trainer tells routers after a training step's backward pass, about
// the forward pass that step made (stigmergic routers learn from it).
struct StepFeedback {
  std::uint64_t step = 0;
  int tokens = 0;
  const double* token_loss = nullptr;   // [tokens] per-token cross-entropy (nats) of that forward
  const int* token_clusters = nullptr;  // [tokens] ground-truth clusters, or null
  int num_clusters = 0;
};

class Router {
 public:
  virtual ~Router() = default;

  // Routes tokens x [T, d_model]. May cache what backward needs.
  virtual Dispatch forward(const HostMatrix& x, const RouteContext& ctx) = 0;

  // Given dL/d(what forward produced), accumulates parameter gradients and adds
  // dL/dx into dx [T, d_model]. Also adds the gradients of the router's own
  // losses: aux_coef * d(aux_loss) and z_coef * d(z_loss).
  virtual void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                        double aux_coef, double z_coef, HostMatrix& dx) = 0;

  virtual ParameterList parameters() = 0;

  // Forward floating-point operations for T tokens (for the Ledger).
  virtual double forward_flops(int tokens) const = 0;

  // Called by the trainer once per training step, after backward and the
  // optimizer step, with the per-token losses of that step's forward pass.
  // Default: nothing (stateless routers).
  virtual void observe_step(const StepFeedback& /*feedback*/) {}

  // Called by the trainer after observe_step when a trace is written (level
  // metrics or full): a substrate router appends its state under
  // /runs/<variant>/substrate through the RunWriter. `seed` is the seed value.
  // Default: nothing.
  virtual void write_substrate(RunWriter& /*writer*/, std::int64_t /*seed*/,
                               std::int64_t /*step*/) {}
};

using RouterPtr = std::unique_ptr<Router>;

// capacity = ceil(cf * tokens * k / experts), at least 1 (Switch / GShard convention).
int expert_capacity(double capacity_factor, int tokens, int k, int experts);

}  // namespace moesim
