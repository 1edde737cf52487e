// E experts with forward and backward over the tokens gathered for each.
#pragma once
#include "backends/gemm.hpp"
#include "core/parameter.hpp"
#include "core/tensor.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace moesim {

class Config;
class RunWriter;

struct ExpertSpec {
  int num_experts = 0;
  int d_model = 0;
  int d_ff = 0;
  std::uint64_t seed = 0;
  int layer = 0;
  Backend backend = Backend::Blas;
  const Config* config = nullptr;  // expert-family keys (experts.*)
};

// Work of a bank's last forward done on a non-digital substrate (spiking
// experts on a neuromorphic chip): its energy in joules, and the part of
// forward_flops that this energy prices instead of the digital energy table.
struct SubstrateEnergy {
  double energy_j = 0;
  double flops = 0;
};

// What a bank records at a trace step: expert e names its record
// `population` + e (e.g. "layer0.expert" -> "layer0.expert3"; shared experts
// "layer0.shared"), and covers at most `max_tokens` of the tokens expert e
// received in that forward (its buffer rows 0..max_tokens-1; from
// trace.assignment_tokens).
struct ExpertTraceRequest {
  std::string population;
  int max_tokens = 0;
};

class ExpertBank {
 public:
  virtual ~ExpertBank() = default;
  virtual int num_experts() const = 0;

  // in [E, capacity, d_model]: rows 0..counts[e]-1 of expert e hold its tokens
  // (later rows are ignored and their outputs left zero). out has in's shape.
  // Caches the activations backward needs.
  virtual void forward(const HostTensor3& in, const std::vector<int>& counts, HostTensor3& out) = 0;

  // d_out like out; writes d_in (same shape) and accumulates parameter gradients.
  virtual void backward(const HostTensor3& d_out, const std::vector<int>& counts, HostTensor3& d_in) = 0;

  virtual ParameterList parameters() = 0;

  // Forward FLOPs for the given token counts (backward is counted as 2x forward).
  virtual double forward_flops(const std::vector<int>& counts) const = 0;

  // Of the last forward; the Ledger prices these `flops` (forward only —
  // backward stays digital) with `energy_j`. Default: all digital.
  virtual SubstrateEnergy last_forward_substrate_energy() const { return {}; }

  // Called by the trainer at trace steps when the trace level writes
  // everything (the steps at which routing/assignments are sampled), after
  // backward and the optimizer step, so the bank still holds that step's
  // training forward. A bank with something to show (spiking experts: their
  // spikes, /spikes/<variant>.s<seed>.<population>) writes it through the
  // RunWriter; `seed` is the seed value, `step` the training step (1-based).
  // Default: nothing.
  virtual void write_trace(RunWriter& /*writer*/, std::int64_t /*seed*/, std::int64_t /*step*/,
                           const ExpertTraceRequest& /*request*/) {}
};

using ExpertBankPtr = std::unique_ptr<ExpertBank>;

}  // namespace moesim
