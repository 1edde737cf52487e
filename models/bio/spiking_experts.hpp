// Spiking experts (expert family `spiking`, Bio-MoE of issue 6): each expert
// is a population of H surrogate-gradient LIF neurons (spiking.neurons, 0 =
// model.d_ff) run for T steps (spiking.steps):
//
//   encode   current (spiking.encoder = current): I_t = x · W_in,e + b_in,e for
//            every step (direct current injection, a digital projection);
//            poisson / rate: signed spike trains of x (encoders.hpp, gain
//            spiking.encoder_gain), I_t = s_in,t · W_in,e + b_in,e
//   spike    u_t = β v_{t−1} + I_t, s_t = H(u_t − θ), v_t = u_t − θ s_t
//            (surrogate_lif.hpp: β spiking.beta, θ spiking.threshold, fast
//            sigmoid slope spiking.surrogate_slope)
//   decode   r = rate (mean spike count per step) or first-spike latency code
//            (spiking.decoder = rate | first_spike)
//   readout  y = r · W_out,e + b_out,e   (trained linear readout to d_model)
//
// Backward: readout and projections exactly, spikes by BPTT with the
// fast-sigmoid surrogate, the spike encoders by the straight-through estimator.
// Parameters "layer<L>.experts.spk.<w_in|b_in|w_out|b_out>" (stacked over
// experts like ffn): W_in ~ N(0, 1/d), W_out ~ N(0, 1/H), biases zero.
//
// Energy: the forward's events — synaptic operations (each input spike
// delivered through its H synapses, each hidden spike through its d readout
// synapses) and neuron updates (active when the neuron spiked in that step) —
// priced with a neuromorphic preset (spiking.energy_preset, default Loihi,
// devices/presets/neuromorphic_loihi.ini); reported through
// ExpertBank::last_forward_substrate_energy, in place of the digital energy of
// the same work (all of it except current encoding's x·W_in projection, which
// stays digital). forward_flops counts the digital simulation (dense GEMMs and
// ~4 FLOPs per neuron-step) so GFLOPs stay comparable with ffn experts.
// Trace (ExpertBank::write_trace, at trace steps of level full): the spikes
// of the first N = request.max_tokens tokens of expert e in that step's
// training forward go to population `<request.population><e>` (SONATA, see
// docs/trace_schema.md): node_ids = neuron 0..H−1 of the expert; time axis
// with one simulation step = kTraceStepMs, token slot k (buffer row k) of
// training step s owning [((s−1)·N + k)·T, ((s−1)·N + k + 1)·T) steps, a
// spike in simulation step t at ((s−1)·N + k)·T + t. Sorted by time (ties
// by neuron), appended step after step.
// Poisson draws: Philox (seed, kSpikingStream + 60 + layer·2^32), counter =
// forward call · 2^36 + expert · 2^28 + the encoder's own counter (distinct
// while tokens · steps · d_model < 2^28 per expert and call).
#pragma once
#include "models/bio/neuromorphic_energy.hpp"
#include "models/spiking/encoders.hpp"
#include "models/spiking/surrogate_lif.hpp"
#include "moe/expert_bank.hpp"

namespace moesim::bio {

// The LIF layer is discrete-time; on the trace's time axis one of its steps is 1 ms.
constexpr double kTraceStepMs = 1.0;

struct SpikingExpertOptions {
  int steps = 8;
  int neurons = 0;  // 0 = d_ff
  spiking::SurrogateLifParams lif{};
  spiking::Encoding encoding = spiking::Encoding::Current;
  spiking::Decoding decoding = spiking::Decoding::Rate;
  double encoder_gain = 0.5;
  std::string energy_preset = "loihi";

  // Reads spiking.* from config (defaults when null / absent); UsageError naming the key.
  static SpikingExpertOptions from_config(const Config* config);
};

class SpikingExpertBank : public ExpertBank {
 public:
  SpikingExpertBank(const ExpertSpec& spec, const SpikingExpertOptions& options);

  int num_experts() const override { return experts_; }
  void forward(const HostTensor3& in, const std::vector<int>& counts, HostTensor3& out) override;
  void backward(const HostTensor3& d_out, const std::vector<int>& counts, HostTensor3& d_in) override;
  ParameterList parameters() override { return {&w_in_, &b_in_, &w_out_, &b_out_}; }
  double forward_flops(const std::vector<int>& counts) const override;
  SubstrateEnergy last_forward_substrate_energy() const override { return substrate_; }
  void write_trace(RunWriter& writer, std::int64_t seed, std::int64_t step,
                   const ExpertTraceRequest& request) override;

  const SpikeEvents& last_events() const { return events_; }
  const NeuromorphicEnergy& energy_table() const { return energy_; }
  const SpikingExpertOptions& options() const { return opt_; }
  int neurons() const { return h_; }
  // Spikes of expert e at the last forward, [T, n_e, H].
  const float* last_spikes(int e) const { return spk_.data() + std::size_t(e) * slab_h_; }

 private:
  void reserve(std::size_t capacity);
  double digital_input_flops(double n) const;

  int experts_, d_, h_, layer_;
  std::uint64_t seed_;
  Backend backend_;
  SpikingExpertOptions opt_;
  NeuromorphicEnergy energy_;
  Parameter w_in_, b_in_, w_out_, b_out_;
  std::size_t capacity_ = 0, slab_h_ = 0, slab_d_ = 0;
  std::vector<float> x_, in_spk_, mem_, spk_, rate_;  // per expert slabs
  std::vector<float> d_spk_, d_cur_, d_sum_, scratch_;
  std::vector<int> counts_;
  std::uint64_t calls_ = 0;
  SpikeEvents events_;
  SubstrateEnergy substrate_;
};

ExpertBankPtr make_spiking_experts(const ExpertSpec& spec);

}  // namespace moesim::bio
