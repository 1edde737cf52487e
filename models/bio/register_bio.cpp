#include "models/bio/register_bio.hpp"

#include "config/config.hpp"
#include "core/registry.hpp"
#include "models/bio/bio_router.hpp"
#include "models/bio/spiking_experts.hpp"

#include <memory>

namespace moesim {

void register_bio_moe(Registry& registry, ConfigSchema& schema) {
  registry.add_router("refractory",
                      "refractory load balancing: top-k of gate logit + log availability, "
                      "Tsodyks-Markram resource depletion per served token, no aux loss",
                      [](const RouterSpec& spec) -> RouterPtr {
                        return std::make_unique<bio::BioRouter>(
                            spec, bio::BioRouterOptions::from_spec(spec, "refractory"), "refractory");
                      },
                      "bio");
  registry.add_router("chemical",
                      "chemical-gradient cascade: gate's expert, then bio.cascade_depth-1 hops up a "
                      "diffusing neuromodulator field on the expert graph",
                      [](const RouterSpec& spec) -> RouterPtr {
                        return std::make_unique<bio::BioRouter>(
                            spec, bio::BioRouterOptions::from_spec(spec, "chemical"), "chemical");
                      },
                      "bio");
  registry.add_experts("spiking",
                       "spiking experts: surrogate-gradient LIF populations over spiking.steps, "
                       "encoded input, rate/first-spike decoded linear readout",
                       bio::make_spiking_experts);

  using K = KeyType;
  const auto onoff = std::vector<std::string>{"on", "off"};
  schema.declare(make_key("bio.refractory", K::Choice, "off",
                          "chemical router: also apply refractory availability (the refractory router always does)",
                          std::nullopt, false, std::nullopt, false, onoff));
  schema.declare(make_key("bio.refractory_use", K::Real, "0.2",
                          "refractory: fraction U of an expert's resources used per served token (Tsodyks-Markram)",
                          0.0, true, 1.0));
  schema.declare(make_key("bio.refractory_tau_rec", K::Real, "16",
                          "refractory: resource recovery time constant, in tokens", 0.0, true));
  schema.declare(make_key("bio.refractory_period", K::Int, "1",
                          "refractory: tokens an expert stays refractory after serving", 0.0));
  schema.declare(make_key("bio.refractory_floor", K::Real, "0.5",
                          "refractory: availability factor while refractory", 0.0, true, 1.0));
  schema.declare(make_key("bio.graph", K::Choice, "grid",
                          "chemical: expert graph, grid, ring or learned (co-activation weighted, complete)",
                          std::nullopt, false, std::nullopt, false, {"grid", "ring", "learned"}));
  schema.declare(make_key("bio.graph_rate", K::Real, "0.1",
                          "chemical, learned graph: EMA rate of the co-activation edge weights", 0.0, false, 1.0));
  schema.declare(make_key("bio.cascade_depth", K::Int, "2",
                          "chemical: experts per token (the gate's choice, then hops up the field); model.top_k is ignored",
                          1.0));
  schema.declare(make_key("bio.field_alpha", K::Real, "1",
                          "chemical: exponent of the concentration in a hop's score p * c^alpha", 0.0));
  schema.declare(make_key("bio.diffusion", K::Real, "0.5", "chemical: diffusion constant D of the field", 0.0));
  schema.declare(make_key("bio.decay", K::Real, "0.05", "chemical: decay rate k of the field per unit time", 0.0));
  schema.declare(make_key("bio.dt", K::Real, "0.2",
                          "chemical: time per explicit diffusion step; needs dt*(D*lambda_max + k) <= 1", 0.0, true));
  schema.declare(make_key("bio.substeps", K::Int, "1", "chemical: explicit diffusion steps per training step", 1.0));
  schema.declare(make_key("bio.release", K::Real, "1",
                          "chemical: neuromodulator released per token at its first expert (per batch token)", 0.0));
  schema.declare(make_key("bio.consumption", K::Real, "0.5",
                          "chemical: c_e *= max(0, 1 - consumption * load_e / tokens) after each step", 0.0, false, 1.0));
  schema.declare(make_key("bio.hebbian", K::Choice, "off",
                          "refractory / chemical: Oja-bounded Hebbian update of the gate columns after each step",
                          std::nullopt, false, std::nullopt, false, onoff));
  schema.declare(make_key("bio.hebbian_rate", K::Real, "0.001", "Hebbian (Oja) learning rate", 0.0, false, 1.0));
  schema.declare(make_key("bio.snapshot_every", K::Int, "25",
                          "chemical: trace a field snapshot every N training steps and at step 1 (0 = none)", 0.0));

  schema.declare(make_key("spiking.steps", K::Int, "8", "spiking experts: time steps T per token", 1.0, false, 4096.0));
  schema.declare(make_key("spiking.neurons", K::Int, "0", "spiking experts: LIF neurons per expert (0 = model.d_ff)", 0.0));
  schema.declare(make_key("spiking.beta", K::Real, "0.9", "spiking experts: membrane leak factor per step", 0.0, false, 1.0));
  schema.declare(make_key("spiking.threshold", K::Real, "1", "spiking experts: firing threshold", 0.0, true));
  schema.declare(make_key("spiking.surrogate_slope", K::Real, "5",
                          "spiking experts: slope k of the fast-sigmoid surrogate 1/(1+k|u-theta|)^2", 0.0, true));
  schema.declare(make_key("spiking.encoder", K::Choice, "current",
                          "spiking experts: current (x*W_in injected each step), poisson or rate spike trains",
                          std::nullopt, false, std::nullopt, false, {"current", "poisson", "rate"}));
  schema.declare(make_key("spiking.encoder_gain", K::Real, "0.5",
                          "spiking experts: spike probability per step = min(1, gain*|x|) (poisson, rate)", 0.0, true));
  schema.declare(make_key("spiking.decoder", K::Choice, "rate", "spiking experts: rate or first_spike decoder",
                          std::nullopt, false, std::nullopt, false, {"rate", "first_spike"}));
  schema.declare(make_key("spiking.energy_preset", K::String, "loihi",
                          "spiking experts: neuromorphic energy preset (devices/presets/neuromorphic_<name>.ini)"));
}

}  // namespace moesim
