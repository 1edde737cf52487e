#include "models/quantum/router/register_quantum_router.hpp"

#include "config/config.hpp"
#include "core/registry.hpp"
#include "models/quantum/batched_bench.hpp"
#include "models/quantum/router/quantum_router.hpp"

#include <memory>

namespace moesim {

void register_quantum_router(Registry& registry, ConfigSchema& schema) {
  registry.add_router("quantum",
                      "QS-MoE: angle-encoded variational circuit per token, expert = measured basis state "
                      "(exact / shots / noisy, parameter-shift gradients, swarm-timed collapse)",
                      [](const RouterSpec& spec) -> RouterPtr {
                        return std::make_unique<quantum::QuantumRouter>(spec);
                      },
                      "quantum");
  using K = KeyType;
  auto key = [&](KeySpec k) { schema.declare(std::move(k)); };
  key(make_key("quantum.qubits", K::Int, "0",
               "quantum router: qubits per token register (2^qubits >= model.experts; 0 = the smallest such)", 0.0,
               false, 12.0));
  key(make_key("quantum.layers", K::Int, "2", "quantum router: variational layers L (CZ ring, rz, ry)", 0.0, false,
               64.0));
  key(make_key("quantum.mode", K::Choice, "exact",
               "quantum router: exact probabilities, or shots (top-k of a per-token shot histogram)", std::nullopt,
               false, std::nullopt, false, {"exact", "shots"}));
  key(make_key("quantum.shots", K::Int, "64", "quantum router: shots per token in shots mode", 1.0, false,
               1048576.0));
  key(make_key("quantum.remeasure_threshold", K::Real, "0",
               "quantum router: re-measure a token when its top-2 shot-frequency margin is below this (0 = never)",
               0.0, false, 1.0));
  key(make_key("quantum.remeasure_factor", K::Int, "4",
               "quantum router: extra shots of a re-measurement, as a multiple of quantum.shots", 0.0, false, 64.0));
  key(make_key("quantum.unused_states", K::Choice, "null",
               "quantum router: basis states >= model.experts form a null expert (residual only), or are "
               "renormalized away",
               std::nullopt, false, std::nullopt, false, {"null", "renormalize"}));
  key(make_key("quantum.noise", K::String, "none",
               "quantum router: none, or a qubit preset (devices/presets/qubit_<name>.ini) simulated exactly on "
               "each token's density matrix (<= 6 qubits)"));
  key(make_key("quantum.max_error", K::Real, "1",
               "quantum router: decoherence budget; the measurement layer is the deepest with estimated error <= "
               "this (noisy presets)",
               0.0, true, 1.0));
  key(make_key("quantum.encoding_scale", K::Real, "1",
               "quantum router: initial std of the encoding angles for unit-variance features (rad)", 0.0, true,
               100.0));
  key(make_key("quantum.histogram_every", K::Int, "25",
               "quantum router: trace a measurement histogram every N steps and at step 1 (0 = never)", 0.0));
  key(make_key("quantum.collapse_every", K::Int, "0",
               "quantum router: steps between swarm-timed collapse searches (shots mode; 0 = off)", 0.0));
  key(make_key("quantum.collapse_optimizer", K::Choice, "pso",
               "quantum router: swarm optimizer of the collapse schedule", std::nullopt, false, std::nullopt, false,
               {"pso", "qpso"}));
  key(make_key("quantum.collapse_budget", K::Int, "120",
               "quantum router: fitness evaluations per collapse search", 2.0, false, 100000.0));
  key(make_key("quantum.collapse_population", K::Int, "12", "quantum router: swarm size of a collapse search", 2.0,
               false, 1000.0));
  key(make_key("quantum.collapse_lambda", K::Real, "1",
               "quantum router: collapse fitness weight of the decoherence error", 0.0, false, 1e6));
  key(make_key("quantum.collapse_mu", K::Real, "0.1",
               "quantum router: collapse fitness weight of shots per token / quantum.collapse_max_shots", 0.0,
               false, 1e6));
  key(make_key("quantum.collapse_min_shots", K::Int, "4", "quantum router: fewest shots a schedule may use", 1.0,
               false, 1048576.0));
  key(make_key("quantum.collapse_max_shots", K::Int, "256", "quantum router: most shots a schedule may use", 2.0,
               false, 1048576.0));
  key(make_key("quantum.collapse_tokens", K::Int, "64",
               "quantum router: tokens of the step's batch a collapse search evaluates schedules on", 1.0, false,
               65536.0));
  register_statevector_batched_bench(registry);
}

}  // namespace moesim
