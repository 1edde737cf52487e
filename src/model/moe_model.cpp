#include "model/moe_model.hpp"

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"

namespace moesim {

namespace {
// Parameter-initialisation salts: one per module, so every variant that shares
// a module starts from the same weights.
constexpr std::uint64_t kSaltInput = 1, kSaltHead = 2, kSaltLayerBase = 16;
}  // namespace

RouterSpec ModelSpec::router_spec(int layer) const {
  RouterSpec rs;
  rs.d_model = d_model;
  rs.num_experts = routed_experts();
  rs.top_k = routed_top_k();
  rs.capacity_factor = capacity_factor;
  rs.seed = seed;
  rs.layer = layer;
  rs.config = config;
  return rs;
}

ExpertSpec ModelSpec::expert_spec(int layer) const {
  ExpertSpec es;
  es.num_experts = routed_experts();
  es.d_model = d_model;
  es.d_ff = routed_d_ff();
  es.seed = seed;
  es.layer = int(kSaltLayerBase) + layer;
  es.backend = backend;
  es.config = config;
  return es;
}

ModelSpec model_spec_from_config(const Config& c, int d_in, int num_classes, std::uint64_t seed) {
  ModelSpec s;
  s.d_in = d_in;
  s.num_classes = num_classes;
  s.d_model = int(c.get_int("model.d_model"));
  s.layers = int(c.get_int("model.layers"));
  s.experts = int(c.get_int("model.experts"));
  s.top_k = int(c.get_int("model.top_k"));
  s.d_ff = int(c.get_int("model.d_ff"));
  s.shared_experts = int(c.get_int("model.shared_experts"));
  s.expert_granularity = int(c.get_int("model.expert_granularity"));
  s.capacity_factor = c.get_real("model.capacity_factor");
  s.dropout = c.get_real("model.dropout");
  s.router = c.get("model.router");
  s.expert_type = c.get("model.expert_type");
  s.backend = c.get("model.backend") == "reference" ? Backend::Reference : Backend::Blas;
  s.seed = seed;
  s.config = &c;
  return s;
}

MoEModel::MoEModel(const Registry& registry, const ModelSpec& spec)
    : spec_(spec),
      input_("input", spec.d_in, spec.d_model, spec.seed, kSaltInput, spec.backend),
      final_norm_("final_norm", spec.d_model),
      head_("head", spec.d_model, spec.num_classes, spec.seed, kSaltHead, spec.backend) {
  if (spec.routed_top_k() > spec.routed_experts())
    throw UsageError("model.top_k: " + std::to_string(spec.top_k) + " exceeds model.experts (" +
                     std::to_string(spec.experts) + ")");
  if (spec.d_ff % spec.expert_granularity != 0)
    throw UsageError("model.expert_granularity: " + std::to_string(spec.expert_granularity) +
                     " must divide model.d_ff (" + std::to_string(spec.d_ff) + ")");
  for (int l = 0; l < spec.layers; ++l) {
    const RouterSpec rs = spec.router_spec(l);
    const ExpertSpec es = spec.expert_spec(l);
    ExpertBankPtr shared;
    if (spec.shared_experts > 0) {
      // Ns shared experts of the fine-grained size act as one expert of Ns
      // times the hidden width (their outputs add).
      ExpertSpec ss = es;
      ss.num_experts = 1;
      ss.d_ff = spec.shared_experts * spec.routed_d_ff();
      ss.layer = int(kSaltLayerBase) + 1000 + l;
      shared = registry.make_experts(spec.expert_type, ss);
    }
    Block b;
    b.norm = std::make_unique<LayerNorm>("block" + std::to_string(l) + ".norm", spec.d_model);
    b.moe = std::make_unique<MoELayer>(registry.make_router(spec.router, rs),
                                       registry.make_experts(spec.expert_type, es),
                                       std::move(shared), spec.backend);
    blocks_.push_back(std::move(b));
  }
}

void MoEModel::ensure_buffers(std::size_t batch) {
  if (h_.extent(0) == batch) return;
  const std::size_t d = spec_.d_model;
  h_ = HostMatrix("model.h", batch, d);
  final_normed_ = HostMatrix("model.final_normed", batch, d);
  d_h_ = HostMatrix("model.d_h", batch, d);
  d_normed_ = HostMatrix("model.d_normed", batch, d);
  d_final_ = HostMatrix("model.d_final", batch, d);
  d_branch_ = HostMatrix("model.d_branch", batch, d);
  masks_.assign(blocks_.size() + 1, HostMatrix());
  if (spec_.dropout > 0)
    for (auto& m : masks_) m = HostMatrix("model.dropout_mask", batch, d);
  for (auto& b : blocks_) {
    b.normed = HostMatrix("block.normed", batch, d);
    b.moe_out = HostMatrix("block.moe_out", batch, d);
  }
}

void MoEModel::forward(const HostMatrix& x, const RouteContext& ctx, HostMatrix& logits) {
  const std::size_t batch = x.extent(0), d = spec_.d_model;
  ensure_buffers(batch);
  x_ = x;
  dropout_active_ = ctx.training && spec_.dropout > 0;
  input_.forward(x, h_);
  if (dropout_active_) apply_dropout(0, ctx.step, h_);
  auto h = h_;
  for (std::size_t l = 0; l < blocks_.size(); ++l) {
    auto& b = blocks_[l];
    b.norm->forward(h_, b.normed);
    b.moe->forward(b.normed, ctx, b.moe_out);
    if (dropout_active_) apply_dropout(int(l) + 1, ctx.step, b.moe_out);
    auto m = b.moe_out;
    Kokkos::parallel_for("residual_add", Kokkos::RangePolicy<HostExec>(0, batch * d),
                         [=](std::size_t i) { h(i / d, i % d) += m(i / d, i % d); });
  }
  final_norm_.forward(h_, final_normed_);
  head_.forward(final_normed_, logits);
  dense_flops_ = input_.forward_flops(int(batch)) + head_.forward_flops(int(batch)) +
                 double(batch) * d * (10.0 * (blocks_.size() + 1) + blocks_.size());
}

void MoEModel::backward(const HostMatrix& d_logits, double aux_coef, double z_coef) {
  head_.backward(final_normed_, d_logits, &d_final_);
  Kokkos::deep_copy(d_h_, 0.0f);
  final_norm_.backward(d_final_, d_h_);
  for (int l = int(blocks_.size()) - 1; l >= 0; --l) {
    auto& b = blocks_[l];
    // h_{l+1} = h_l + MoE(LN(h_l)): the residual passes d_h through unchanged,
    // the MoE branch adds LN'ᵀ · MoE'ᵀ · d_h.
    Kokkos::deep_copy(d_normed_, 0.0f);
    HostMatrix d_branch = d_h_;
    if (dropout_active_) {  // the branch output was multiplied by the mask
      multiply(d_h_, masks_[l + 1], d_branch_);
      d_branch = d_branch_;
    }
    b.moe->backward(b.normed, d_branch, aux_coef, z_coef, d_normed_);
    b.norm->backward(d_normed_, d_h_);
  }
  if (dropout_active_) multiply(d_h_, masks_[0], d_h_);
  input_.backward(x_, d_h_, nullptr);
}

void MoEModel::apply_dropout(int site, std::uint64_t step, HostMatrix& m) {
  const std::size_t rows = m.extent(0), cols = m.extent(1);
  const PhiloxKey key{spec_.seed, streams::kDropout};
  const double keep = 1.0 - spec_.dropout;
  const float scale = float(1.0 / keep);
  // Counter: (step, site, element) — independent of the thread count.
  const std::uint64_t base = (step * (blocks_.size() + 1) + std::uint64_t(site)) * rows * cols;
  auto mask = masks_[site];
  auto mv = m;
  Kokkos::parallel_for("dropout", Kokkos::RangePolicy<HostExec>(0, rows * cols), [=](std::size_t i) {
    const float f = Philox::uniform(key, base + i) < keep ? scale : 0.0f;
    mask(i / cols, i % cols) = f;
    mv(i / cols, i % cols) *= f;
  });
}

void multiply(const HostMatrix& a, const HostMatrix& b, HostMatrix& out) {
  const std::size_t cols = a.extent(1);
  auto av = a;
  auto bv = b;
  auto ov = out;
  Kokkos::parallel_for("multiply", Kokkos::RangePolicy<HostExec>(0, a.size()), [=](std::size_t i) {
    ov(i / cols, i % cols) = av(i / cols, i % cols) * bv(i / cols, i % cols);
  });
}

ParameterList MoEModel::parameters() {
  ParameterList all = input_.parameters();
  for (auto& b : blocks_) {
    for (auto* p : b.norm->parameters()) all.push_back(p);
    for (auto* p : b.moe->parameters()) all.push_back(p);
  }
  for (auto* p : final_norm_.parameters()) all.push_back(p);
  for (auto* p : head_.parameters()) all.push_back(p);
  return all;
}

void MoEModel::zero_grad() {
  for (auto* p : parameters()) p->zero_grad();
}

double MoEModel::aux_loss() const {
  double s = 0;
  for (const auto& b : blocks_) s += b.moe->dispatch().aux_loss;
  return s;
}

double MoEModel::z_loss() const {
  double s = 0;
  for (const auto& b : blocks_) s += b.moe->dispatch().z_loss;
  return s;
}

double MoEModel::forward_flops() const {
  double s = dense_flops_;
  for (const auto& b : blocks_) {
    const auto& st = b.moe->stats();
    s += st.router_flops + st.expert_flops + st.shared_flops;
  }
  return s;
}

SubstrateEnergy MoEModel::substrate_energy() const {
  SubstrateEnergy s;
  for (const auto& b : blocks_) {
    s.energy_j += b.moe->stats().substrate.energy_j;
    s.flops += b.moe->stats().substrate.flops;
  }
  return s;
}

double MoEModel::dispatch_bytes() const {
  double s = 0;
  for (const auto& b : blocks_) s += b.moe->stats().dispatch_bytes;
  return s;
}

}  // namespace moesim
