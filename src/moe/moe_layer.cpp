#include "moe/moe_layer.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

namespace moesim {

namespace {
// [E, C, d] buffer seen as the [E*C, d] matrix it is in memory.
HostMatrix flat(const HostTensor3& t) {
  return HostMatrix(t.data(), t.extent(0) * t.extent(1), t.extent(2));
}
// [T, d] matrix seen as a one-expert buffer [1, T, d] (shared experts), no copy.
HostTensor3 as_single_expert(const HostMatrix& m) {
  return HostTensor3(m.data(), 1, m.extent(0), m.extent(1));
}

// Adds the seconds since `start` to `total` and restarts the clock.
void lap(std::chrono::steady_clock::time_point& start, double& total) {
  const auto now = std::chrono::steady_clock::now();
  total += std::chrono::duration<double>(now - start).count();
  start = now;
}
}  // namespace

MoELayer::MoELayer(RouterPtr router, ExpertBankPtr experts, ExpertBankPtr shared_experts,
                   Backend backend)
    : router_(std::move(router)),
      experts_(std::move(experts)),
      shared_(std::move(shared_experts)),
      backend_(backend) {
  if (!router_ || !experts_) throw std::invalid_argument("MoELayer: router and experts required");
}

void MoELayer::ensure_buffers(int experts, int capacity, int d) {
  if (in_buf_.extent(0) == std::size_t(experts) && in_buf_.extent(1) == std::size_t(capacity) &&
      in_buf_.extent(2) == std::size_t(d))
    return;
  in_buf_ = HostTensor3("moe.in", experts, capacity, d);
  out_buf_ = HostTensor3("moe.out", experts, capacity, d);
  d_out_buf_ = HostTensor3("moe.d_out", experts, capacity, d);
  d_in_buf_ = HostTensor3("moe.d_in", experts, capacity, d);
}

void MoELayer::write_trace(RunWriter& writer, std::int64_t seed, std::int64_t step, int layer,
                           int max_tokens) {
  const std::string base = "layer" + std::to_string(layer);
  experts_->write_trace(writer, seed, step, {base + ".expert", max_tokens});
  if (shared_) shared_->write_trace(writer, seed, step, {base + ".shared", max_tokens});
}

void MoELayer::forward(const HostMatrix& x, const RouteContext& ctx, HostMatrix& y) {
  const int tokens = static_cast<int>(x.extent(0));
  const int d = static_cast<int>(x.extent(1));
  auto clock = std::chrono::steady_clock::now();
  dispatch_ = router_->forward(x, ctx);
  lap(clock, timings_.router_s);
  const int experts = experts_->num_experts();
  if (dispatch_.num_experts != experts)
    throw std::logic_error("MoELayer: router routes to " + std::to_string(dispatch_.num_experts) +
                           " experts, bank has " + std::to_string(experts));
  ensure_buffers(experts, dispatch_.capacity, d);
  stats_ = {};
  stats_.router_flops = router_->forward_flops(tokens);

  if (dispatch_.soft) {
    // Soft MoE: every slot is a convex combination of all tokens.
    counts_.assign(experts, dispatch_.capacity);
    auto in_flat = flat(in_buf_);
    gemm(backend_, Op::N, Op::N, 1.0f, cmat(dispatch_.dispatch), cmat(x), 0.0f, mat(in_flat));
    lap(clock, timings_.dispatch_s);
    experts_->forward(in_buf_, counts_, out_buf_);
    lap(clock, timings_.experts_s);
    gemm(backend_, Op::N, Op::N, 1.0f, cmat(dispatch_.combine), cmat(flat(out_buf_)), 0.0f, mat(y));
    lap(clock, timings_.dispatch_s);
    const double slots = double(experts) * dispatch_.capacity;
    stats_.router_flops += 2.0 * 2.0 * slots * tokens * d;  // the two dense mixing GEMMs
  } else {
    counts_ = expert_counts(dispatch_.assignments, experts);
    // Slots are dense from 0 for every router; if one ever leaves holes, zero
    // them so that stale rows never reach an expert.
    std::vector<int> filled(experts, 0);
    for (const auto& a : dispatch_.assignments) ++filled[a.expert];
    for (int e = 0; e < experts; ++e)
      if (filled[e] != counts_[e])
        Kokkos::deep_copy(Kokkos::subview(in_buf_, e, Kokkos::ALL(), Kokkos::ALL()), 0.0f);
    by_token_ = index_by_token(dispatch_.assignments, tokens);
    if (backend_ == Backend::Reference)
      reference::gather(dispatch_.assignments, x, in_buf_);
    else
      kokkos::gather(exec_, dispatch_.assignments, x, in_buf_);
    lap(clock, timings_.dispatch_s);
    experts_->forward(in_buf_, counts_, out_buf_);
    lap(clock, timings_.experts_s);
    if (backend_ == Backend::Reference)
      reference::combine(dispatch_.assignments, by_token_, out_buf_, y);
    else
      kokkos::combine(exec_, dispatch_.assignments, by_token_, out_buf_, y);
    lap(clock, timings_.dispatch_s);
    // Gather and combine each move one row in and one row out per assignment.
    stats_.dispatch_bytes = 4.0 * 4.0 * dispatch_.assignments.size() * d;
  }
  stats_.expert_flops = experts_->forward_flops(counts_);
  stats_.substrate = experts_->last_forward_substrate_energy();

  if (shared_) {
    if (shared_out_.extent(1) != std::size_t(tokens) || shared_out_.extent(2) != std::size_t(d)) {
      shared_out_ = HostTensor3("moe.shared_out", 1, tokens, d);
      shared_d_in_ = HostTensor3("moe.shared_d_in", 1, tokens, d);
    }
    const std::vector<int> all{tokens};
    shared_->forward(as_single_expert(x), all, shared_out_);
    auto so = shared_out_;
    auto yv = y;
    Kokkos::parallel_for(
        "moe_add_shared", Kokkos::RangePolicy<HostExec>(exec_, 0, std::size_t(tokens) * d),
        [=](std::size_t i) { yv(i / d, i % d) += so(0, i / d, i % d); });
    stats_.shared_flops = shared_->forward_flops(all);
    const SubstrateEnergy se = shared_->last_forward_substrate_energy();
    stats_.substrate.energy_j += se.energy_j;
    stats_.substrate.flops += se.flops;
    lap(clock, timings_.experts_s);
  }
}

void MoELayer::backward(const HostMatrix& x, const HostMatrix& dy, double aux_coef, double z_coef,
                        HostMatrix& dx) {
  const int tokens = static_cast<int>(x.extent(0));
  const int d = static_cast<int>(x.extent(1));
  DispatchGrad grad;
  auto clock = std::chrono::steady_clock::now();
  if (dispatch_.soft) {
    const int slots = static_cast<int>(dispatch_.combine.extent(1));
    auto d_out_flat = flat(d_out_buf_);
    // y = C · O  =>  dO = Cᵀ · dy,  dC = dy · Oᵀ
    gemm(backend_, Op::T, Op::N, 1.0f, cmat(dispatch_.combine), cmat(dy), 0.0f, mat(d_out_flat));
    grad.d_combine = HostMatrix("moe.d_combine", tokens, slots);
    gemm(backend_, Op::N, Op::T, 1.0f, cmat(dy), cmat(flat(out_buf_)), 0.0f, mat(grad.d_combine));
    lap(clock, timings_.dispatch_s);
    experts_->backward(d_out_buf_, counts_, d_in_buf_);
    lap(clock, timings_.experts_s);
    // in = D · x  =>  dx += Dᵀ · d_in,  dD = d_in · xᵀ
    auto d_in_flat = flat(d_in_buf_);
    gemm(backend_, Op::T, Op::N, 1.0f, cmat(dispatch_.dispatch), cmat(d_in_flat), 1.0f, mat(dx));
    grad.d_dispatch = HostMatrix("moe.d_dispatch", slots, tokens);
    gemm(backend_, Op::N, Op::T, 1.0f, cmat(d_in_flat), cmat(x), 0.0f, mat(grad.d_dispatch));
    lap(clock, timings_.dispatch_s);
  } else {
    if (backend_ == Backend::Reference)
      reference::combine_backward(dispatch_.assignments, dy, out_buf_, d_out_buf_, grad.d_weight);
    else
      kokkos::combine_backward(exec_, dispatch_.assignments, dy, out_buf_, d_out_buf_, grad.d_weight);
    lap(clock, timings_.dispatch_s);
    experts_->backward(d_out_buf_, counts_, d_in_buf_);
    lap(clock, timings_.experts_s);
    if (backend_ == Backend::Reference)
      reference::gather_backward(dispatch_.assignments, by_token_, d_in_buf_, dx);
    else
      kokkos::gather_backward(exec_, dispatch_.assignments, by_token_, d_in_buf_, dx);
    lap(clock, timings_.dispatch_s);
  }
  if (shared_) {
    const std::vector<int> all{tokens};
    shared_->backward(as_single_expert(dy), all, shared_d_in_);
    auto sd = shared_d_in_;
    auto dxv = dx;
    Kokkos::parallel_for(
        "moe_add_shared_grad", Kokkos::RangePolicy<HostExec>(exec_, 0, std::size_t(tokens) * d),
        [=](std::size_t i) { dxv(i / d, i % d) += sd(0, i / d, i % d); });
    lap(clock, timings_.experts_s);
  }
  router_->backward(x, dispatch_, grad, aux_coef, z_coef, dx);
  lap(clock, timings_.router_s);
}

ParameterList MoELayer::parameters() {
  ParameterList all = router_->parameters();
  for (auto* p : experts_->parameters()) all.push_back(p);
  if (shared_)
    for (auto* p : shared_->parameters()) all.push_back(p);
  return all;
}

}  // namespace moesim
