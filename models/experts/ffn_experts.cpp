#include "models/experts/ffn_experts.hpp"

#include "backends/kokkos/activations.hpp"
#include "core/error.hpp"
#include "models/experts/expert_options.hpp"

#include <stdexcept>
#include <string>

namespace moesim {

namespace {
int require_positive(int value, const char* key) {
  if (value <= 0)
    throw UsageError(std::string(key) + ": value " + std::to_string(value) +
                     " is out of range (accepted: an integer >= 1)");
  return value;
}

Activation checked_activation(Activation act) {
  if (act == Activation::Identity)
    throw UsageError(std::string(kKeyExpertsActivation) +
                     ": identity is not an expert activation (accepted: relu, gelu, gelu_tanh, swiglu)");
  return act;
}

int checked_rank(int rank, int d_ff) {
  if (rank < 0) resolve_expert_rank(rank, d_ff);  // throws, naming experts.rank
  return rank;
}

std::string param_name(const ExpertSpec& spec, const char* what) {
  return "layer" + std::to_string(spec.layer) + ".experts." + what;
}

std::uint64_t salt(const ExpertSpec& spec, int index) {
  return kExpertInitSalt + 8 * std::uint64_t(spec.layer) + std::uint64_t(index);
}

// Rows [0, n) of expert e of a [E, capacity, cols] buffer, as a [n, cols] matrix.
auto rows(const HostTensor3& t, int e, std::size_t n) {
  return Kokkos::subview(t, std::size_t(e), Kokkos::make_pair(std::size_t(0), n), Kokkos::ALL());
}
auto bias_row(const HostMatrix& b, int e) { return Kokkos::subview(b, std::size_t(e), Kokkos::ALL()); }

// The elementwise kernels of a backend: reference loops for the oracle bank,
// Kokkos kernels on the host execution space otherwise.
template <class Bias, class Pre, class Out>
void bias_act(Backend backend, Activation act, const Bias& bias, const Pre& pre, const Out& out) {
  if (backend == Backend::Reference)
    reference::bias_activation_forward(act, bias.data(), mat(pre), mat(out));
  else
    kokkos::bias_activation_forward(HostExec(), act, bias, pre, out);
}
template <class Pre, class Out>
void act_forward(Backend backend, Activation act, const Pre& pre, const Out& out) {
  if (backend == Backend::Reference)
    reference::activation_forward(act, cmat(pre), mat(out));
  else
    kokkos::activation_forward(HostExec(), act, pre, out);
}
template <class Pre, class DOut, class DPre>
void act_backward(Backend backend, Activation act, const Pre& pre, const DOut& d_out,
                  const DPre& d_pre) {
  if (backend == Backend::Reference)
    reference::activation_backward(act, cmat(pre), cmat(d_out), mat(d_pre));
  else
    kokkos::activation_backward(HostExec(), act, pre, d_out, d_pre);
}
template <class X, class Sums>
void column_sums(Backend backend, const X& x, const Sums& sums) {
  if (backend == Backend::Reference)
    reference::add_column_sums(cmat(x), sums.data());
  else
    kokkos::add_column_sums(HostExec(), x, sums);
}

// Zeroes rows [n, capacity) of expert e (all of them when n == 0).
void zero_tail(const HostTensor3& t, int e, std::size_t n) {
  auto tail = Kokkos::subview(t, std::size_t(e), Kokkos::make_pair(n, t.extent(1)), Kokkos::ALL());
  Kokkos::deep_copy(tail, 0.0f);
}
}  // namespace

FfnExpertBank::FfnExpertBank(const ExpertSpec& spec, Activation activation, int rank)
    : experts_(require_positive(spec.num_experts, "model.experts")),
      d_model_(require_positive(spec.d_model, "model.d_model")),
      d_ff_(require_positive(spec.d_ff, "model.d_ff")),
      f1_(static_cast<int>(activation_input_cols(checked_activation(activation), std::size_t(d_ff_)))),
      activation_(activation),
      backend_(spec.backend),
      w1_(param_name(spec, "w1"), experts_, d_model_, f1_, checked_rank(rank, d_ff_), spec.seed,
          salt(spec, 0)),
      w2_(param_name(spec, "w2"), experts_, d_ff_, d_model_, rank, spec.seed, salt(spec, 2)),
      b1_(param_name(spec, "b1"), std::size_t(experts_), std::size_t(f1_), /*weight_decay=*/false),
      b2_(param_name(spec, "b2"), std::size_t(experts_), std::size_t(d_model_), false) {}

void FfnExpertBank::reserve(std::size_t capacity) {
  if (capacity == capacity_) return;
  capacity_ = capacity;
  x_cache_ = HostTensor3("ffn.x_cache", experts_, capacity, d_model_);
  pre_cache_ = HostTensor3("ffn.pre_cache", experts_, capacity, f1_);
  act_ = HostMatrix("ffn.act", capacity, d_ff_);
  d_act_ = HostMatrix("ffn.d_act", capacity, d_ff_);
  d_pre_ = HostMatrix("ffn.d_pre", capacity, f1_);
  w1_.reserve(capacity);
  w2_.reserve(capacity);
}

void FfnExpertBank::check_buffers(const HostTensor3& t, const std::vector<int>& counts,
                                  const char* what) const {
  if (t.extent(0) != std::size_t(experts_) || t.extent(2) != std::size_t(d_model_))
    throw std::invalid_argument(std::string("FfnExpertBank::") + what + ": buffer is [" +
                                std::to_string(t.extent(0)) + ", " + std::to_string(t.extent(1)) +
                                ", " + std::to_string(t.extent(2)) + "], expected [" +
                                std::to_string(experts_) + ", capacity, " +
                                std::to_string(d_model_) + "]");
  if (counts.size() != std::size_t(experts_))
    throw std::invalid_argument(std::string("FfnExpertBank::") + what + ": " +
                                std::to_string(counts.size()) + " counts for " +
                                std::to_string(experts_) + " experts");
  for (int c : counts)
    if (c < 0 || std::size_t(c) > t.extent(1))
      throw std::invalid_argument(std::string("FfnExpertBank::") + what + ": count " +
                                  std::to_string(c) + " outside [0, capacity " +
                                  std::to_string(t.extent(1)) + "]");
}

void FfnExpertBank::forward(const HostTensor3& in, const std::vector<int>& counts, HostTensor3& out) {
  check_buffers(in, counts, "forward");
  if (out.extent(0) != in.extent(0) || out.extent(1) != in.extent(1) || out.extent(2) != in.extent(2))
    throw std::invalid_argument("FfnExpertBank::forward: out does not have in's shape");
  reserve(in.extent(1));
  for (int e = 0; e < experts_; ++e) {
    const std::size_t n = std::size_t(counts[e]);
    zero_tail(out, e, n);
    if (n == 0) continue;
    auto x = rows(x_cache_, e, n);
    Kokkos::deep_copy(x, rows(in, e, n));
    auto pre = rows(pre_cache_, e, n);
    auto act = row_block(act_, 0, n);
    auto y = rows(out, e, n);
    w1_.forward(backend_, e, x, pre);
    bias_act(backend_, activation_, bias_row(b1_.value, e), pre, act);
    w2_.forward(backend_, e, act, y);
    bias_act(backend_, Activation::Identity, bias_row(b2_.value, e), y, y);
  }
}

void FfnExpertBank::backward(const HostTensor3& d_out, const std::vector<int>& counts,
                             HostTensor3& d_in) {
  check_buffers(d_out, counts, "backward");
  if (d_in.extent(0) != d_out.extent(0) || d_in.extent(1) != d_out.extent(1) ||
      d_in.extent(2) != d_out.extent(2))
    throw std::invalid_argument("FfnExpertBank::backward: d_in does not have d_out's shape");
  if (d_out.extent(1) != capacity_)
    throw std::invalid_argument("FfnExpertBank::backward: capacity differs from the last forward");
  for (int e = 0; e < experts_; ++e) {
    const std::size_t n = std::size_t(counts[e]);
    zero_tail(d_in, e, n);
    if (n == 0) continue;
    auto dy = rows(d_out, e, n);
    auto x = rows(x_cache_, e, n);
    auto pre = rows(pre_cache_, e, n);
    auto act = row_block(act_, 0, n);
    auto d_act = row_block(d_act_, 0, n);
    auto d_pre = row_block(d_pre_, 0, n);
    column_sums(backend_, dy, bias_row(b2_.grad, e));
    act_forward(backend_, activation_, pre, act);  // recompute act(pre)
    w2_.backward(backend_, e, act, dy, d_act);
    act_backward(backend_, activation_, pre, d_act, d_pre);
    column_sums(backend_, d_pre, bias_row(b1_.grad, e));
    w1_.backward(backend_, e, x, d_pre, rows(d_in, e, n));
  }
}

ParameterList FfnExpertBank::parameters() {
  ParameterList list;
  w1_.append_parameters(list);
  list.push_back(&b1_);
  w2_.append_parameters(list);
  list.push_back(&b2_);
  return list;
}

double FfnExpertBank::forward_flops(const std::vector<int>& counts) const {
  double total = 0.0;
  for (int c : counts) {
    if (c <= 0) continue;
    const double n = c;
    total += w1_.forward_flops(n) + n * f1_                    // x·W1, + b1
             + n * d_ff_ * activation_flops(activation_)       // act
             + w2_.forward_flops(n) + n * d_model_;            // ·W2, + b2
  }
  return total;
}

ExpertBankPtr make_ffn_experts(const ExpertSpec& spec) {
  const ExpertOptions options = read_expert_options(spec.config);
  return std::make_unique<FfnExpertBank>(spec, options.activation, 0);
}

ExpertBankPtr make_lowrank_ffn_experts(const ExpertSpec& spec) {
  const ExpertOptions options = read_expert_options(spec.config);
  const int rank = resolve_expert_rank(options.rank, spec.d_ff);
  return std::make_unique<FfnExpertBank>(spec, options.activation, rank);
}

}  // namespace moesim
