#include "models/bio/spiking_experts.hpp"

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "models/experts/ffn_experts.hpp"
#include "models/spiking/cuba.hpp"
#include "trace/trace_sink.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace moesim::bio {

namespace {

std::string text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& accepted) {
  throw UsageError(key + " = " + value + " (accepted: " + accepted + ")");
}

int positive(int value, const char* key) {
  if (value <= 0) bad(key, std::to_string(value), "an integer >= 1");
  return value;
}

// Σ over rows of m [rows, cols] into out[cols] (+=), serial in row order.
void add_column_sums(const float* m, std::size_t rows, std::size_t cols, float* out) {
  for (std::size_t c = 0; c < cols; ++c) {
    double s = 0.0;
    for (std::size_t r = 0; r < rows; ++r) s += m[r * cols + c];
    out[c] += float(s);
  }
}

MatRef mref(float* p, std::size_t rows, std::size_t cols) { return {p, rows, cols, cols}; }
ConstMatRef cref(const float* p, std::size_t rows, std::size_t cols) { return {p, rows, cols, cols}; }

constexpr std::uint64_t kSpikingExpertStream = spiking::kSpikingStream + 60;

}  // namespace

SpikingExpertOptions SpikingExpertOptions::from_config(const Config* c) {
  SpikingExpertOptions o;
  if (!c) return o;
  auto has = [&](const char* k) { return c->has(k); };
  if (has("spiking.steps")) o.steps = int(c->get_int("spiking.steps"));
  if (o.steps < 1 || o.steps > 4096) bad("spiking.steps", std::to_string(o.steps), "an integer in [1, 4096]");
  if (has("spiking.neurons")) o.neurons = int(c->get_int("spiking.neurons"));
  if (o.neurons < 0) bad("spiking.neurons", std::to_string(o.neurons), "an integer >= 0 (0 = model.d_ff)");
  if (has("spiking.beta")) o.lif.beta = c->get_real("spiking.beta");
  if (!(o.lif.beta >= 0.0 && o.lif.beta <= 1.0)) bad("spiking.beta", text(o.lif.beta), "a real number in [0, 1]");
  if (has("spiking.threshold")) o.lif.threshold = c->get_real("spiking.threshold");
  if (!(o.lif.threshold > 0.0)) bad("spiking.threshold", text(o.lif.threshold), "a real number > 0");
  if (has("spiking.surrogate_slope")) o.lif.slope = c->get_real("spiking.surrogate_slope");
  if (!(o.lif.slope > 0.0)) bad("spiking.surrogate_slope", text(o.lif.slope), "a real number > 0");
  if (has("spiking.encoder_gain")) o.encoder_gain = c->get_real("spiking.encoder_gain");
  if (!(o.encoder_gain > 0.0)) bad("spiking.encoder_gain", text(o.encoder_gain), "a real number > 0");
  if (has("spiking.encoder")) {
    const auto v = c->get("spiking.encoder");
    if (v == "current") o.encoding = spiking::Encoding::Current;
    else if (v == "poisson") o.encoding = spiking::Encoding::Poisson;
    else if (v == "rate") o.encoding = spiking::Encoding::Rate;
    else bad("spiking.encoder", v, "current, poisson, rate");
  }
  if (has("spiking.decoder")) {
    const auto v = c->get("spiking.decoder");
    if (v == "rate") o.decoding = spiking::Decoding::Rate;
    else if (v == "first_spike") o.decoding = spiking::Decoding::FirstSpike;
    else bad("spiking.decoder", v, "rate, first_spike");
  }
  if (has("spiking.energy_preset")) o.energy_preset = c->get("spiking.energy_preset");
  return o;
}

SpikingExpertBank::SpikingExpertBank(const ExpertSpec& spec, const SpikingExpertOptions& options)
    : experts_(positive(spec.num_experts, "model.experts")),
      d_(positive(spec.d_model, "model.d_model")),
      h_(options.neurons > 0 ? options.neurons : positive(spec.d_ff, "model.d_ff")),
      layer_(spec.layer),
      seed_(spec.seed),
      backend_(spec.backend),
      opt_(options),
      energy_(load_neuromorphic_energy(options.energy_preset)) {
  const std::string base = "layer" + std::to_string(spec.layer) + ".experts.spk.";
  const std::uint64_t salt = kExpertInitSalt + 8 * std::uint64_t(spec.layer);
  w_in_ = Parameter(base + "w_in", std::size_t(experts_) * d_, std::size_t(h_));
  b_in_ = Parameter(base + "b_in", std::size_t(experts_), std::size_t(h_), false);
  w_out_ = Parameter(base + "w_out", std::size_t(experts_) * h_, std::size_t(d_));
  b_out_ = Parameter(base + "b_out", std::size_t(experts_), std::size_t(d_), false);
  init_normal(w_in_, spec.seed, salt + 0, 1.0 / std::sqrt(double(d_)));
  init_normal(w_out_, spec.seed, salt + 2, 1.0 / std::sqrt(double(h_)));
}

void SpikingExpertBank::reserve(std::size_t capacity) {
  if (capacity == capacity_) return;
  capacity_ = capacity;
  const std::size_t T = std::size_t(opt_.steps), E = std::size_t(experts_);
  slab_h_ = T * capacity * h_;
  slab_d_ = T * capacity * d_;
  x_.assign(E * capacity * d_, 0.0f);
  if (opt_.encoding != spiking::Encoding::Current) in_spk_.assign(E * slab_d_, 0.0f);
  mem_.assign(E * slab_h_, 0.0f);
  spk_.assign(E * slab_h_, 0.0f);
  rate_.assign(E * capacity * h_, 0.0f);
  d_spk_.assign(slab_h_, 0.0f);
  d_cur_.assign(slab_h_, 0.0f);
  d_sum_.assign(capacity * std::max(d_, h_), 0.0f);
  scratch_.assign(capacity * std::max(d_, h_), 0.0f);
}

double SpikingExpertBank::digital_input_flops(double n) const {
  return opt_.encoding == spiking::Encoding::Current ? 2.0 * n * d_ * h_ + n * h_ : 0.0;
}

double SpikingExpertBank::forward_flops(const std::vector<int>& counts) const {
  const double T = opt_.steps;
  double total = 0.0;
  for (int c : counts) {
    if (c <= 0) continue;
    const double n = c;
    const double input = opt_.encoding == spiking::Encoding::Current
                             ? digital_input_flops(n)
                             : T * (2.0 * n * d_ * h_ + n * h_);
    total += input + 4.0 * T * n * h_ + T * n * h_  // LIF steps, decoder
             + 2.0 * n * h_ * d_ + n * d_;          // readout
  }
  return total;
}

void SpikingExpertBank::forward(const HostTensor3& in, const std::vector<int>& counts, HostTensor3& out) {
  if (in.extent(0) != std::size_t(experts_) || in.extent(2) != std::size_t(d_) ||
      counts.size() != std::size_t(experts_) || out.extent(0) != in.extent(0) ||
      out.extent(1) != in.extent(1) || out.extent(2) != in.extent(2))
    throw std::invalid_argument("SpikingExpertBank::forward: buffers do not match [E, capacity, d_model]");
  reserve(in.extent(1));
  counts_ = counts;
  const std::size_t T = std::size_t(opt_.steps), H = std::size_t(h_), D = std::size_t(d_);
  const std::size_t C = capacity_;
  const PhiloxKey key{seed_, kSpikingExpertStream + (std::uint64_t(layer_) << 32)};
  events_ = {};
  double substrate_flops = 0.0;
  for (int e = 0; e < experts_; ++e) {
    const std::size_t n = std::size_t(counts[e]);
    auto y = Kokkos::subview(out, std::size_t(e), Kokkos::ALL(), Kokkos::ALL());
    Kokkos::deep_copy(y, 0.0f);
    if (n == 0) continue;
    float* x = x_.data() + std::size_t(e) * C * D;
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t i = 0; i < D; ++i) x[r * D + i] = in(e, r, i);
    float* mem = mem_.data() + std::size_t(e) * slab_h_;  // first holds the current
    float* spk = spk_.data() + std::size_t(e) * slab_h_;
    const float* w_in = w_in_.value.data() + std::size_t(e) * D * H;
    const float* b_in = b_in_.value.data() + std::size_t(e) * H;
    double input_spikes = 0.0;
    if (opt_.encoding == spiking::Encoding::Current) {
      gemm(backend_, Op::N, Op::N, 1.0f, cref(x, n, D), cref(w_in, D, H), 0.0f, mref(mem, n, H));
      for (std::size_t r = 0; r < n; ++r)
        for (std::size_t j = 0; j < H; ++j) mem[r * H + j] += b_in[j];
      for (std::size_t t = 1; t < T; ++t) std::copy(mem, mem + n * H, mem + t * n * H);
    } else {
      float* s_in = in_spk_.data() + std::size_t(e) * slab_d_;
      if (opt_.encoding == spiking::Encoding::Poisson)
        spiking::poisson_encode(key, (calls_ << 36) + (std::uint64_t(e) << 28), x, n, D, opt_.steps,
                                opt_.encoder_gain, s_in);
      else
        spiking::rate_encode(x, n, D, opt_.steps, opt_.encoder_gain, s_in);
      for (std::size_t i = 0; i < T * n * D; ++i) input_spikes += std::fabs(s_in[i]);
      gemm(backend_, Op::N, Op::N, 1.0f, cref(s_in, T * n, D), cref(w_in, D, H), 0.0f,
           mref(mem, T * n, H));
      for (std::size_t r = 0; r < T * n; ++r)
        for (std::size_t j = 0; j < H; ++j) mem[r * H + j] += b_in[j];
    }
    // The LIF layer reads the current from `scratch` and writes the membrane over `mem`.
    std::vector<float> current(mem, mem + T * n * H);
    const double hidden_spikes =
        spiking::surrogate_lif_forward(opt_.lif, current.data(), n * H, opt_.steps, mem, spk);
    float* r = rate_.data() + std::size_t(e) * C * H;
    spiking::decode(opt_.decoding, spk, n, H, opt_.steps, r);
    const float* w_out = w_out_.value.data() + std::size_t(e) * H * D;
    const float* b_out = b_out_.value.data() + std::size_t(e) * D;
    float* yo = scratch_.data();
    gemm(backend_, Op::N, Op::N, 1.0f, cref(r, n, H), cref(w_out, H, D), 0.0f, mref(yo, n, D));
    for (std::size_t row = 0; row < n; ++row)
      for (std::size_t i = 0; i < D; ++i) out(e, row, i) = yo[row * D + i] + b_out[i];

    events_.synaptic_ops += input_spikes * double(H) + hidden_spikes * double(D);
    events_.active_updates += hidden_spikes;
    events_.inactive_updates += double(T * n * H) - hidden_spikes;
    substrate_flops += forward_flops(std::vector<int>{int(n)}) - digital_input_flops(double(n));
  }
  ++calls_;
  substrate_ = {events_.energy_j(energy_), substrate_flops};
}

void SpikingExpertBank::backward(const HostTensor3& d_out, const std::vector<int>& counts,
                                 HostTensor3& d_in) {
  if (counts != counts_ || d_out.extent(1) != capacity_ || d_in.extent(1) != capacity_)
    throw std::invalid_argument("SpikingExpertBank::backward: counts or capacity differ from the last forward");
  const std::size_t T = std::size_t(opt_.steps), H = std::size_t(h_), D = std::size_t(d_);
  const std::size_t C = capacity_;
  for (int e = 0; e < experts_; ++e) {
    const std::size_t n = std::size_t(counts[e]);
    auto dx_e = Kokkos::subview(d_in, std::size_t(e), Kokkos::ALL(), Kokkos::ALL());
    Kokkos::deep_copy(dx_e, 0.0f);
    if (n == 0) continue;
    const float* x = x_.data() + std::size_t(e) * C * D;
    const float* mem = mem_.data() + std::size_t(e) * slab_h_;
    const float* spk = spk_.data() + std::size_t(e) * slab_h_;
    const float* r = rate_.data() + std::size_t(e) * C * H;
    std::vector<float> dy(n * D);
    for (std::size_t row = 0; row < n; ++row)
      for (std::size_t i = 0; i < D; ++i) dy[row * D + i] = d_out(e, row, i);
    // Readout.
    add_column_sums(dy.data(), n, D, b_out_.grad.data() + std::size_t(e) * D);
    float* dw_out = w_out_.grad.data() + std::size_t(e) * H * D;
    const float* w_out = w_out_.value.data() + std::size_t(e) * H * D;
    gemm(backend_, Op::T, Op::N, 1.0f, cref(r, n, H), cref(dy.data(), n, D), 1.0f, mref(dw_out, H, D));
    float* dr = scratch_.data();
    gemm(backend_, Op::N, Op::T, 1.0f, cref(dy.data(), n, D), cref(w_out, H, D), 0.0f, mref(dr, n, H));
    // Decoder, then BPTT through the LIF population.
    spiking::decode_backward(opt_.decoding, spk, dr, n, H, opt_.steps, d_spk_.data());
    spiking::surrogate_lif_backward(opt_.lif, mem, d_spk_.data(), n * H, opt_.steps, d_cur_.data());
    const float* w_in = w_in_.value.data() + std::size_t(e) * D * H;
    float* dw_in = w_in_.grad.data() + std::size_t(e) * D * H;
    float* db_in = b_in_.grad.data() + std::size_t(e) * H;
    // Σ_t dI_t, serial in t.
    float* dsum = d_sum_.data();
    for (std::size_t j = 0; j < n * H; ++j) {
      double s = 0.0;
      for (std::size_t t = 0; t < T; ++t) s += d_cur_[t * n * H + j];
      dsum[j] = float(s);
    }
    add_column_sums(dsum, n, H, db_in);
    std::vector<float> dx(n * D);
    if (opt_.encoding == spiking::Encoding::Current) {
      gemm(backend_, Op::T, Op::N, 1.0f, cref(x, n, D), cref(dsum, n, H), 1.0f, mref(dw_in, D, H));
      gemm(backend_, Op::N, Op::T, 1.0f, cref(dsum, n, H), cref(w_in, D, H), 0.0f, mref(dx.data(), n, D));
    } else {
      const float* s_in = in_spk_.data() + std::size_t(e) * slab_d_;
      gemm(backend_, Op::T, Op::N, 1.0f, cref(s_in, T * n, D), cref(d_cur_.data(), T * n, H), 1.0f,
           mref(dw_in, D, H));
      std::vector<float> dsx(n * D);
      gemm(backend_, Op::N, Op::T, 1.0f, cref(dsum, n, H), cref(w_in, D, H), 0.0f, mref(dsx.data(), n, D));
      spiking::encode_backward(x, dsx.data(), n, D, opt_.encoder_gain, dx.data());
    }
    for (std::size_t row = 0; row < n; ++row)
      for (std::size_t i = 0; i < D; ++i) d_in(e, row, i) = dx[row * D + i];
  }
}

void SpikingExpertBank::write_trace(RunWriter& writer, std::int64_t seed, std::int64_t step,
                                    const ExpertTraceRequest& request) {
  if (request.max_tokens <= 0 || counts_.size() != std::size_t(experts_)) return;  // no forward yet
  const std::size_t T = std::size_t(opt_.steps), H = std::size_t(h_), N = std::size_t(request.max_tokens);
  // Integer step counts times kTraceStepMs: exact in f64 below 2^53 steps.
  const std::uint64_t step_origin = std::uint64_t(step - 1) * N * T;
  std::vector<double> times;
  std::vector<std::uint64_t> ids;
  for (int e = 0; e < experts_; ++e) {
    const std::size_t n = std::size_t(counts_[e]), recorded = std::min(n, N);
    const float* spk = last_spikes(e);  // [T, n, H]
    times.clear();
    ids.clear();
    for (std::size_t k = 0; k < recorded; ++k)
      for (std::size_t t = 0; t < T; ++t) {
        const float* row = spk + (t * n + k) * H;
        for (std::size_t j = 0; j < H; ++j)
          if (row[j] != 0.0f) {
            times.push_back(double(step_origin + k * T + t) * kTraceStepMs);
            ids.push_back(j);
          }
      }
    writer.write_spikes(seed, request.population + std::to_string(e), times, ids, 2 /* by_time */);
  }
}

ExpertBankPtr make_spiking_experts(const ExpertSpec& spec) {
  return std::make_unique<SpikingExpertBank>(spec, SpikingExpertOptions::from_config(spec.config));
}

}  // namespace moesim::bio
