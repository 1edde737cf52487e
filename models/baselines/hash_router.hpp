// Hash layers (Roller et al. 2021, "Hash Layers For Large Sparse Models"):
// each token goes to one expert chosen by a fixed random hash of its token id
// (ctx.token_ids; the row index when none are given), weight 1. The hash is a
// random function drawn once per (seed, layer) from Philox, the analogue of
// the paper's random lookup table over the vocabulary. No learned parameters,
// no gradient to x, no losses. Capacity C = ceil(cf · T / E); overflow is
// dropped in token order.
#pragma once
#include "moe/router.hpp"

namespace moesim {

class HashRouter : public Router {
 public:
  explicit HashRouter(const RouterSpec& spec);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override {}
  ParameterList parameters() override { return {}; }
  double forward_flops(int tokens) const override { return 0.0; }  // integer hashing only

  // The expert of a token id.
  int expert_of(std::uint64_t token_id) const;

 private:
  RouterSpec spec_;
};

}  // namespace moesim
