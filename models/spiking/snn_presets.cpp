// The `moesim snn` presets.
#include "models/spiking/snn_presets.hpp"

#include <Kokkos_Core.hpp>

#include <sstream>

namespace moesim::spiking {

namespace {

SnnResult run_cuba_preset(const SnnRequest& request) {
  return run_cuba(Kokkos::DefaultHostExecutionSpace(), cuba_preset_config(request));
}

std::string describe_cuba(const SnnRequest& request) {
  const CubaConfig c = cuba_preset_config(request);
  const LifExpParams& p = c.neuron;
  std::ostringstream s;
  s.precision(17);
  s << "[spiking]\npreset = cuba\nseed = " << c.seed << "\nduration_ms = " << c.duration_ms
    << "\ndt_ms = " << c.dt_ms << "\nn_exc = " << c.n_exc << "\nn_inh = " << c.n_inh
    << "\nconnection_probability = " << c.connection_probability << "\nwe_mV = " << c.we_mV
    << "\nwi_mV = " << c.wi_mV << "\nexc_delay_steps = " << c.exc_delay_steps
    << "\ninh_delay_steps = " << c.inh_delay_steps << "\ntau_m_ms = " << p.tau_m_ms
    << "\ntau_e_ms = " << p.tau_e_ms << "\ntau_i_ms = " << p.tau_i_ms << "\nv_threshold_mV = " << p.v_threshold_mV
    << "\nv_reset_mV = " << p.v_reset_mV << "\ne_leak_mV = " << p.e_leak_mV
    << "\nrefractory_ms = " << p.refractory_ms
    << "\nprecision = " << (c.precision == CubaPrecision::kFloat64 ? "fp64" : "fp32") << "\n";
  return s.str();
}

}  // namespace

CubaConfig cuba_preset_config(const SnnRequest& request) {
  CubaConfig c;  // the defaults are check_values.md's CUBA
  c.seed = request.seed;
  c.duration_ms = request.duration_ms;
  c.stop_requested = request.stop_requested;
  c.precision = request.precision;
  return c;
}

const std::vector<SnnPreset>& snn_presets() {
  static const std::vector<SnnPreset> presets = {
      {"cuba",
       "Brian2's examples/CUBA: 3200 exc + 800 inh current-based LIF neurons, p = 0.02, dt 0.1 ms",
       "cuba", CubaConfig{}.dt_ms, run_cuba_preset, describe_cuba},
  };
  return presets;
}

const SnnPreset* find_snn_preset(const std::string& name) {
  for (const auto& p : snn_presets())
    if (p.name == name) return &p;
  return nullptr;
}

std::string snn_preset_names() {
  std::string s;
  for (const auto& p : snn_presets()) s += (s.empty() ? "" : ", ") + p.name;
  return s;
}

}  // namespace moesim::spiking
