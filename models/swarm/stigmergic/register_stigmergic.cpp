#include "models/swarm/stigmergic/register_stigmergic.hpp"

#include "config/config.hpp"
#include "core/registry.hpp"
#include "models/swarm/stigmergic/stigmergic_router.hpp"

#include <memory>

namespace moesim {

void register_stigmergic_router(Registry& registry, ConfigSchema& schema) {
  registry.add_router("stigmergic",
                      "pheromone routing: top-k of tau^alpha * gate^beta over SimHash buckets, "
                      "MAX-MIN / AntNet updates (ant colony routing)",
                      [](const RouterSpec& spec) -> RouterPtr {
                        return std::make_unique<StigmergicRouter>(spec);
                      },
                      "stigmergy");
  using K = KeyType;
  schema.declare(make_key("stigmergy.hash_bits", K::Int, "4",
                          "stigmergic: SimHash sign-projection bits of a token's bucket (buckets = 2^bits)",
                          1.0, false, 16.0));
  schema.declare(make_key("stigmergy.rho", K::Real, "0.05",
                          "stigmergic: pheromone evaporation rate per training step, tau <- (1-rho) tau",
                          0.0, true, 1.0));
  schema.declare(make_key("stigmergy.alpha", K::Real, "1",
                          "stigmergic: pheromone exponent alpha of tau^alpha * gate^beta", 0.0, false, 100.0));
  schema.declare(make_key("stigmergy.beta", K::Real, "1",
                          "stigmergic: gate-affinity exponent beta of tau^alpha * gate^beta", 0.0, false, 100.0));
  schema.declare(make_key("stigmergy.tau_min", K::Real, "0.01",
                          "stigmergic: MAX-MIN lower pheromone bound (> 0, < stigmergy.tau_max)", 0.0, true, 1e6));
  schema.declare(make_key("stigmergy.tau_max", K::Real, "1",
                          "stigmergic: MAX-MIN upper pheromone bound (> stigmergy.tau_min); maxmin starts here",
                          0.0, true, 1e6));
  schema.declare(make_key("stigmergy.reinforcement", K::Real, "1",
                          "stigmergic: deposit Q per nat of per-token loss below the bucket's running mean",
                          0.0, false, 1e6));
  schema.declare(make_key("stigmergy.baseline_momentum", K::Real, "0.9",
                          "stigmergic: EMA momentum of each bucket's per-token loss baseline", 0.0, false,
                          1.0, true));
  schema.declare(make_key("stigmergy.update", K::Choice, "maxmin",
                          "stigmergic: pheromone update, maxmin (Stutzle & Hoos 2000) or antnet (Di Caro & Dorigo 1998)",
                          std::nullopt, false, std::nullopt, false, {"maxmin", "antnet"}));
  schema.declare(make_key("stigmergy.selection", K::Choice, "top_k",
                          "stigmergic: top_k of tau^alpha * gate^beta, or sample k in proportion (training only)",
                          std::nullopt, false, std::nullopt, false, {"top_k", "sample"}));
  schema.declare(make_key("stigmergy.snapshot_every", K::Int, "25",
                          "stigmergic: trace a tau snapshot every N training steps and at step 1 (0 = none)",
                          0.0));
}

}  // namespace moesim
