#include "models/register_models.hpp"

#include "bench/bench.hpp"
#include "config/config.hpp"
#include "core/registry.hpp"
#include "datasets/dataset.hpp"
#include "devices/presets_dir.hpp"
#include "models/baselines/register_baselines.hpp"
#include "models/baselines/register_baselines_extra.hpp"
#include "models/bio/register_bio.hpp"
#include "models/experts/register_experts.hpp"
#include "models/quantum/router/register_quantum_router.hpp"
#include "models/quantum/statevector_bench.hpp"
#include "models/spiking/snn_bench.hpp"
#include "models/swarm/stigmergic/register_stigmergic.hpp"
#include "models/swarm/swarm_router_optimizer.hpp"
#include "train/experiment.hpp"

namespace moesim {

void register_builtins(Registry& registry, ConfigSchema& schema) {
  declare_core_keys(schema);
  declare_dataset_keys(schema);
  register_datasets(registry);
  register_baseline_routers(registry, schema);
  register_extra_routers(registry, schema);
  register_stigmergic_router(registry, schema);
  register_quantum_router(registry, schema);
  register_bio_moe(registry, schema);
  swarm::register_swarm_router_training(registry, schema);
  register_expert_families(registry, schema);
  register_core_benchmarks(registry);
  register_spiking_benchmarks(registry);
  register_quantum_benchmarks(registry);
  // Config names are validated against what is registered.
  for (const auto& [name, _] : registry.list("routers")) schema.add_choice("model.router", name);
  for (const auto& [name, _] : registry.list("experts")) schema.add_choice("model.expert_type", name);
  try {
    for (const auto& [name, description] :
         list_presets(presets_directory({MOESIM_SOURCE_PRESETS, MOESIM_INSTALL_PRESETS})))
      registry.add_preset(name, description);
  } catch (const std::exception&) {
    // No presets directory: `moesim list presets` shows none; commands that
    // need a preset report the missing directory themselves.
  }
}

}  // namespace moesim
