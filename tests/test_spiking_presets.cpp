// Neuron models as data (models/spiking, issue 6): every model's parameter
// table covers each parameter once, parameters are validated, the shipped
// neuron presets (devices/presets/neuron_*.ini) load with their cited values,
// unknown names list the available presets, and malformed preset files give a
// DataError naming file, section and key.
#include "core/error.hpp"
#include "models/spiking/adaptive_lif.hpp"
#include "models/spiking/conductance_lif.hpp"
#include "models/spiking/cuba.hpp"
#include "models/spiking/neuron_model.hpp"
#include "models/spiking/neuron_preset.hpp"
#include "preset_test_util.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace moesim;
using namespace moesim::spiking;
using Catch::Matchers::ContainsSubstring;

namespace {

using moesim::testing::PresetsEnv;
using moesim::testing::TempDir;

const std::vector<std::string> kSourcePresets = {MOESIM_SOURCE_PRESETS};

}  // namespace

TEST_CASE("model parameter tables cover every parameter once", "[spiking]") {
  // All parameter structs hold only doubles: a table shorter than the struct
  // means a parameter presets cannot set.
  const auto check = [](const auto& fields, std::size_t expected, const ModelInfo* info) {
    CHECK(fields.size() == expected);
    std::set<std::string> keys;
    for (const auto& f : fields) keys.insert(f.key);
    CHECK(keys.size() == fields.size());
    if (info) {
      CHECK(std::string(info->equations).size() > 20);
      CHECK(std::string(info->state_variables).find('v') != std::string::npos);
    }
  };
  check(lif_exp_fields(), sizeof(LifExpParams) / sizeof(double), &lif_exp_info());
  check(conductance_lif_fields(), sizeof(ConductanceLifParams) / sizeof(double), &conductance_lif_info());
  check(adaptive_lif_fields(), sizeof(AdaptiveLifParams) / sizeof(double), &adaptive_lif_info());
  // A table entry writes the member it names.
  AdaptiveLifParams a;
  for (const auto& f : adaptive_lif_fields())
    if (std::string(f.key) == "tau_m_ms") a.*(f.member) = 33.0;
  CHECK(a.tau_m_ms == 33.0);
}

TEST_CASE("conductance and adaptive parameters are validated", "[spiking]") {
  ConductanceLifParams p;
  CHECK_THROWS_AS(ConductanceLifModel::make(p, 0.0), UsageError);
  p.tau_e_ms = 0.0;
  CHECK_THROWS_AS(ConductanceLifModel::make(p, 0.1), UsageError);
  p = ConductanceLifParams{};
  p.g_inh_tonic = -0.1;
  CHECK_THROWS_AS(ConductanceLifModel::make(p, 0.1), UsageError);
  p = ConductanceLifParams{};
  p.v_reset_mV = p.v_threshold_mV + 1;
  CHECK_THROWS_AS(ConductanceLifModel::make(p, 0.1), UsageError);
  AdaptiveLifParams a;
  a.tau_theta_ms = -1.0;
  CHECK_THROWS_AS(AdaptiveLifModel::make(a, 0.1), UsageError);
}

TEST_CASE("shipped neuron presets load with their cited values", "[spiking]") {
  PresetsEnv env(std::nullopt);
  const NeuronPreset cuba = load_neuron_preset("cuba", kSourcePresets);
  CHECK(cuba.name == "cuba");
  CHECK_THAT(cuba.source, ContainsSubstring("CUBA"));
  REQUIRE(cuba.populations.size() == 1);
  const auto& lif = cuba.population().lif_exp;
  CHECK(cuba.population().model == NeuronModelKind::kLifExp);
  // The same numbers as check_values.md / CubaConfig's defaults.
  const CubaConfig ref;
  CHECK(lif.tau_m_ms == ref.neuron.tau_m_ms);
  CHECK(lif.tau_e_ms == ref.neuron.tau_e_ms);
  CHECK(lif.tau_i_ms == ref.neuron.tau_i_ms);
  CHECK(lif.v_threshold_mV == ref.neuron.v_threshold_mV);
  CHECK(lif.v_reset_mV == ref.neuron.v_reset_mV);
  CHECK(lif.e_leak_mV == ref.neuron.e_leak_mV);
  CHECK(lif.refractory_ms == ref.neuron.refractory_ms);
  CHECK(cuba.dt_ms == ref.dt_ms);
  CHECK(std::abs(cuba.value("synapse", "we_mV") - ref.we_mV) < 1e-12);
  CHECK(std::abs(cuba.value("synapse", "wi_mV") - ref.wi_mV) < 1e-12);
  CHECK(cuba.value("synapse", "connection_probability") == ref.connection_probability);
  CHECK(cuba.value("network", "n_exc") == static_cast<double>(ref.n_exc));
  CHECK(cuba.value("network", "n_inh") == static_cast<double>(ref.n_inh));
  CHECK_FALSE(cuba.has_stdp);
  CHECK_THROWS_AS(cuba.value("synapse", "missing_key"), DataError);

  const NeuronPreset coba = load_neuron_preset("coba", kSourcePresets);
  const auto& c = coba.population().conductance;
  CHECK(coba.population().model == NeuronModelKind::kConductanceLif);
  CHECK(c.e_leak_mV == -60.0);
  CHECK(c.e_exc_mV == 0.0);
  CHECK(c.e_inh_mV == -80.0);
  CHECK(coba.value("synapse", "we") == 0.6);
  CHECK(coba.value("synapse", "wi") == 6.7);

  const NeuronPreset dc = load_neuron_preset("diehl_cook", kSourcePresets);
  CHECK_THAT(dc.source, ContainsSubstring("Diehl") && ContainsSubstring("2015"));
  REQUIRE(dc.populations.size() == 2);
  CHECK(dc.populations[0].name == "exc");  // file order
  const auto& exc = dc.population("exc");
  CHECK(exc.model == NeuronModelKind::kAdaptiveLif);
  CHECK(exc.adaptive.tau_m_ms == 100.0);
  CHECK(exc.adaptive.theta_plus_mV == 0.05);
  CHECK(exc.adaptive.tau_theta_ms == 1e7);
  CHECK(exc.adaptive.e_inh_mV == -100.0);
  CHECK(exc.conductance.v_threshold_mV == -52.0);  // base filled for adaptive too
  CHECK(dc.population("inh").model == NeuronModelKind::kConductanceLif);
  CHECK(dc.population("inh").conductance.e_inh_mV == -85.0);
  CHECK_THROWS_AS(dc.population(), UsageError);  // two populations: name one
  try {
    dc.population("out");
    FAIL("expected UsageError");
  } catch (const UsageError& e) {
    CHECK_THAT(std::string(e.what()), ContainsSubstring("exc") && ContainsSubstring("inh"));
  }
  REQUIRE(dc.has_stdp);
  CHECK(dc.stdp.pairing == StdpPairing::kNearest);
  CHECK(dc.stdp.a_plus == 0.01);
  CHECK(dc.stdp.a_minus == 0.0001);
  CHECK(dc.stdp.tau_slow_ms == 40.0);
  // Every population of every preset builds a model at the preset's dt.
  for (const auto& name : neuron_preset_names(MOESIM_SOURCE_PRESETS)) {
    const NeuronPreset np = load_neuron_preset(name, kSourcePresets);
    for (const auto& pop : np.populations) {
      INFO(name << "." << pop.name);
      if (pop.model == NeuronModelKind::kLifExp) CHECK_NOTHROW(LifExpModel::make(pop.lif_exp, np.dt_ms));
      if (pop.model == NeuronModelKind::kConductanceLif)
        CHECK_NOTHROW(ConductanceLifModel::make(pop.conductance, np.dt_ms));
      if (pop.model == NeuronModelKind::kAdaptiveLif) CHECK_NOTHROW(AdaptiveLifModel::make(pop.adaptive, np.dt_ms));
    }
  }
}

TEST_CASE("unknown neuron presets list the available ones", "[spiking]") {
  {
    PresetsEnv env(std::nullopt);
    try {
      load_neuron_preset("nonesuch", kSourcePresets);
      FAIL("expected UsageError");
    } catch (const UsageError& e) {
      const std::string msg = e.what();
      CHECK_THAT(msg, ContainsSubstring("nonesuch"));
      CHECK_THAT(msg, ContainsSubstring("coba") && ContainsSubstring("cuba") && ContainsSubstring("diehl_cook"));
    }
  }
  TempDir dir("neuron");
  dir.file("neuron_mine.ini", "[source]\ncitation = test\n[simulation]\ndt_ms = 0.1\n[neuron]\nmodel = lif_exp\n"
                              "tau_m_ms = 10\ntau_e_ms = 2\ntau_i_ms = 3\nv_threshold_mV = -50\nv_reset_mV = -70\n"
                              "e_leak_mV = -65\nrefractory_ms = 1\ndrive_mV = +4.5\n");
  PresetsEnv env(dir.str());
  const NeuronPreset mine = load_neuron_preset("mine", kSourcePresets);
  CHECK(mine.population().lif_exp.drive_mV == 4.5);
  CHECK(mine.population().lif_exp.v_reset_mV == -70.0);
  CHECK(neuron_preset_names(dir.str()) == std::vector<std::string>{"mine"});
  try {
    load_neuron_preset("cuba", kSourcePresets);  // MOESIM_PRESETS wins
    FAIL("expected UsageError");
  } catch (const UsageError& e) {
    CHECK_THAT(std::string(e.what()), ContainsSubstring("mine"));
  }
}

TEST_CASE("bad neuron preset files give DataError naming file, section and key", "[spiking]") {
  TempDir dir("neuron");
  const std::string head = "[source]\ncitation = test\n[simulation]\ndt_ms = 0.1\n";
  const std::string lif =
      "[neuron]\nmodel = lif_exp\ntau_m_ms = 10\ntau_e_ms = 2\ntau_i_ms = 3\nv_threshold_mV = -50\n"
      "v_reset_mV = -70\ne_leak_mV = -65\nrefractory_ms = 1\ndrive_mV = 0\n";
  REQUIRE_NOTHROW(load_neuron_preset(dir.file("neuron_ok.ini", head + lif)));
  struct Case {
    std::string name, text;
    std::vector<std::string> mentions;
  };
  std::string bad_number = head + lif;
  bad_number.replace(bad_number.find("tau_m_ms = 10"), 13, "tau_m_ms = ten");
  std::string missing = head + lif;
  missing.erase(missing.find("tau_e_ms = 2\n"), 13);
  std::string negative_tau = head + lif;
  negative_tau.replace(negative_tau.find("tau_i_ms = 3"), 12, "tau_i_ms = -3");
  const std::vector<Case> cases{
      {"bad_number.ini", bad_number, {"bad_number.ini", "[neuron] tau_m_ms", "ten", "not a number"}},
      {"missing.ini", missing, {"missing.ini", "[neuron] tau_e_ms", "missing"}},
      {"negative.ini", negative_tau, {"negative.ini", "[neuron]", "tau_i"}},
      {"unknown_key.ini", head + lif + "tau_x_ms = 1\n", {"unknown_key.ini", "[neuron] tau_x_ms", "accepted", "tau_m_ms"}},
      {"bad_model.ini", head + "[neuron]\nmodel = hodgkin\n", {"bad_model.ini", "[neuron] model", "hodgkin", "lif_exp"}},
      {"no_source.ini", "[simulation]\ndt_ms = 0.1\n" + lif, {"no_source.ini", "[source] citation"}},
      {"no_neuron.ini", head, {"no_neuron.ini", "[neuron]"}},
      {"no_dt.ini", "[source]\ncitation = x\n" + lif, {"no_dt.ini", "[simulation]"}},
      {"zero_dt.ini", "[source]\ncitation = x\n[simulation]\ndt_ms = 0\n" + lif, {"zero_dt.ini", "dt_ms", "positive"}},
      {"bad_section.ini", head + lif + "[synapses]\nw = 1\n", {"bad_section.ini", "[synapses]", "accepted"}},
      {"bad_synapse.ini", head + lif + "[synapse]\nwe_mV = 1.5mV\n", {"bad_synapse.ini", "[synapse] we_mV", "not a number"}},
      {"bad_pairing.ini", head + lif + "[stdp]\npairing = sometimes\n", {"bad_pairing.ini", "[stdp] pairing", "nearest"}},
      {"bad_stdp.ini",
       head + lif +
           "[stdp]\npairing = nearest\na_plus = 0.1\na_minus = 0.1\ntau_plus_ms = 20\ntau_minus_ms = 20\n"
           "tau_slow_ms = 0\nw_min = 1\nw_max = 0\n",
       {"bad_stdp.ini", "[stdp]", "w_min"}},
      {"malformed.ini", head + "[neuron\n", {"malformed.ini", "section"}},
      {"inf.ini", head + lif + "[network]\nn = inf\n", {"inf.ini", "[network] n"}},
  };
  for (const auto& c : cases) {
    const std::string path = dir.file(c.name, c.text);
    INFO(c.name);
    try {
      load_neuron_preset(path);
      FAIL("expected DataError");
    } catch (const DataError& e) {
      const std::string msg = e.what();
      INFO(msg);
      for (const auto& m : c.mentions) CHECK_THAT(msg, ContainsSubstring(m));
    }
  }
  CHECK_THROWS_AS(load_neuron_preset(dir.str() + "/absent.ini"), DataError);
}

