// BASE layers (Lewis, Bhosale, Dettmers, Goyal, Zettlemoyer, "BASE Layers:
// Simplifying Training of Large, Sparse Models", ICML 2021) with the balanced
// assignment computed by Sinkhorn iterations as in S-BASE (Clark et al.,
// "Unified Scaling Laws for Routed Language Models", ICML 2022).
//
// Affinity a = x · W [T, E] (LinearGate). Training: a balanced transport plan
// P = diag(u) exp(a) diag(v) with every row summing to 1 and every column to
// T/E is found by Sinkhorn iterations in the log domain (router.sinkhorn_iters
// at most, stopping early when max_e |column sum − T/E| / (T/E) <
// router.sinkhorn_tol); each token goes to the argmax of its row of P (its
// top-1 in the balanced plan; ties to the lowest index). Inference: greedy
// top-1 of a. Combine weight = sigmoid(a_te) of the chosen expert, as BASE's
// h + σ(x·w_e) f_e(x). Capacity ceil(cf · T / E) applies in token order (the
// balanced plan rarely overflows it). Always top-1 (model.top_k is ignored).
// The assignment is a discrete choice: the gradient flows through the combine
// weight (and the z-loss). aux_loss = 0 (balance comes from the assignment);
// z_loss on a; routing_entropy = entropy of softmax(a).
#pragma once
#include "models/baselines/linear_gate.hpp"
#include "moe/router.hpp"

#include <vector>

namespace moesim {

class BaseRouter : public Router {
 public:
  struct Options {
    int sinkhorn_iters = 10;
    double sinkhorn_tol = 1e-3;
  };
  static Options read_options(const RouterSpec& spec);

  explicit BaseRouter(const RouterSpec& spec) : BaseRouter(spec, read_options(spec)) {}
  BaseRouter(const RouterSpec& spec, const Options& options);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
  ParameterList parameters() override { return {&gate_.weight()}; }
  double forward_flops(int tokens) const override;

  // The balanced plan of affinities a [T, E] (row sums 1, column sums T/E when
  // converged), row-major [T*E]; iterations_used receives the count run.
  static std::vector<double> sinkhorn(const HostMatrix& a, int max_iters, double tol,
                                      int* iterations_used = nullptr);
  int last_iterations() const { return last_iters_; }

 private:
  int experts_;
  double capacity_factor_;
  Options opt_;
  LinearGate gate_;
  HostMatrix logits_;
  int last_iters_ = 0;
};

}  // namespace moesim
