// Synaptic delays (models/spiking/delay_buffer.*) and the fused CUBA loop:
// a spike with delay d arrives exactly d steps later (buffer and network);
// range-restricted propagation equals whole propagation; run_cuba equals a
// plain reference loop built from lif_exp_step + propagate bit for bit, with
// and without delays, on any thread count (the [spiking] tag also runs at 2
// threads, where run_cuba splits the neurons into blocks).
#include "core/error.hpp"
#include "models/spiking/connectivity.hpp"
#include "models/spiking/cuba.hpp"
#include "models/spiking/delay_buffer.hpp"
#include "models/spiking/neuron_model.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace moesim;
using namespace moesim::spiking;

namespace {

using Exec = Kokkos::DefaultHostExecutionSpace;

// One source with synapses to targets 1 and 3 (weights 2 and 5).
Projection tiny_projection() {
  Projection p;
  p.num_sources = 1;
  p.num_targets = 4;
  p.row_ptr = Kokkos::View<std::size_t*, Kokkos::HostSpace>("rp", 2);
  p.row_ptr(1) = 2;
  p.targets = Kokkos::View<std::uint32_t*, Kokkos::HostSpace>("t", 2);
  p.weights = Kokkos::View<double*, Kokkos::HostSpace>("w", 2);
  p.targets(0) = 1;
  p.targets(1) = 3;
  p.weights(0) = 2.0;
  p.weights(1) = 5.0;
  return p;
}

// The reference: lif_exp_step + propagate, delays through a plain ring of
// per-step accumulators filled in emission order (the DelayBuffer's order).
CubaResult reference_cuba(const CubaConfig& c) {
  const LifExpModel model = LifExpModel::make(c.neuron, c.dt_ms);
  const std::size_t n = c.n_exc + c.n_inh;
  const Projection exc = fixed_probability_projection(
      Exec(), {c.n_exc, n, c.connection_probability, c.we_mV, c.seed, kSpikingStream + 1});
  const Projection inh = fixed_probability_projection(
      Exec(), {c.n_inh, n, c.connection_probability, c.wi_mV, c.seed, kSpikingStream + 2});
  LifExpState s(n);
  const PhiloxKey key{c.seed, kSpikingStream + 0};
  for (std::size_t i = 0; i < n; ++i)
    s.v(i) = c.neuron.v_reset_mV + Philox::uniform(key, i) * (c.neuron.v_threshold_mV - c.neuron.v_reset_mV);
  const auto steps = static_cast<std::size_t>(std::llround(c.duration_ms / c.dt_ms));
  std::vector<std::vector<double>> ring_e(steps + c.exc_delay_steps + 1, std::vector<double>()),
      ring_i(steps + c.inh_delay_steps + 1, std::vector<double>());
  CubaResult r;
  std::vector<std::uint32_t> fired, ef, inf;
  for (std::size_t step = 0; step < steps; ++step) {
    lif_exp_step(Exec(), model, s);
    fired.clear();
    collect_spikes(s, fired);
    ef.clear();
    inf.clear();
    for (const auto i : fired) {
      r.spike_times_ms.push_back(static_cast<double>(step) * c.dt_ms);
      r.spike_ids.push_back(i);
      if (i < c.n_exc)
        ef.push_back(i);
      else
        inf.push_back(static_cast<std::uint32_t>(i - c.n_exc));
    }
    const auto deliver = [&](const Projection& p, const std::vector<std::uint32_t>& src, int delay,
                             std::vector<std::vector<double>>& ring, const Kokkos::View<double*, Kokkos::HostSpace>& g) {
      if (delay == 0) {
        r.synaptic_events += propagate(p, src, g);
        return;
      }
      auto& slot = ring[step + static_cast<std::size_t>(delay)];
      if (slot.empty()) slot.assign(n, 0.0);
      for (const auto sidx : src) {
        for (std::size_t k = p.row_ptr(sidx); k < p.row_ptr(sidx + 1); ++k) slot[p.targets(k)] += p.weights(k);
        r.synaptic_events += p.out_degree(sidx);
      }
      if (!ring[step].empty())
        for (std::size_t t = 0; t < n; ++t) g(t) += ring[step][t];
    };
    deliver(exc, ef, c.exc_delay_steps, ring_e, s.ge);
    deliver(inh, inf, c.inh_delay_steps, ring_i, s.gi);
  }
  r.spikes = r.spike_ids.size();
  return r;
}

CubaConfig short_config(std::uint64_t seed, int exc_delay, int inh_delay) {
  CubaConfig c;
  c.seed = seed;
  c.duration_ms = 200.0;
  c.exc_delay_steps = exc_delay;
  c.inh_delay_steps = inh_delay;
  c.min_block_neurons = 512;  // several blocks when the tests run on 2 threads
  return c;
}

}  // namespace

TEST_CASE("a delayed spike arrives exactly d steps later", "[spiking]") {
  for (const int d : {0, 1, 3, 15}) {
    Projection p = tiny_projection();
    p.delay_steps = d;
    DelayBuffer buffer(4, 15);
    const std::uint32_t source = 0;
    std::vector<double> g(4, 0.0);
    std::vector<int> arrival_step(4, -1);
    for (int step = 0; step < 40; ++step) {
      if (step == 5) buffer.schedule(p, &source, 1, 0, 4);  // emitted at delivery point 5
      buffer.drain(g.data(), 0, 4);
      buffer.advance();
      for (int t = 0; t < 4; ++t)
        if (g[t] != 0.0 && arrival_step[t] < 0) arrival_step[t] = step;
    }
    INFO("delay " << d);
    CHECK(arrival_step[1] == 5 + d);
    CHECK(arrival_step[3] == 5 + d);
    CHECK(arrival_step[0] == -1);
    CHECK(g[1] == 2.0);
    CHECK(g[3] == 5.0);
  }
  // Per-synapse delays, split over two target ranges as two threads would.
  Projection p = tiny_projection();
  p.delays = Kokkos::View<std::uint16_t*, Kokkos::HostSpace>("d", 2);
  p.delays(0) = 2;
  p.delays(1) = 7;
  CHECK(p.delayed());
  CHECK(p.max_delay_steps() == 7);
  DelayBuffer buffer(4, p.max_delay_steps());
  const std::uint32_t source = 0;
  std::vector<double> g(4, 0.0);
  std::vector<std::vector<double>> seen;
  for (int step = 0; step < 12; ++step) {
    if (step == 1 || step == 2) {
      buffer.schedule(p, &source, 1, 0, 2);
      buffer.schedule(p, &source, 1, 2, 4);
    }
    buffer.drain(g.data(), 0, 2);
    buffer.drain(g.data(), 2, 4);
    buffer.advance();
    seen.push_back(g);
  }
  // Spikes at 1 and 2: target 1 (delay 2) at 3 and 4, target 3 (delay 7) at 8 and 9.
  CHECK(seen[2][1] == 0.0);
  CHECK(seen[3][1] == 2.0);
  CHECK(seen[4][1] == 4.0);
  CHECK(seen[7][3] == 0.0);
  CHECK(seen[8][3] == 5.0);
  CHECK(seen[9][3] == 10.0);
  CHECK(seen[11][0] == 0.0);
  // A delay beyond the buffer is an error, not a silent wrap.
  Projection q = tiny_projection();
  q.delay_steps = 5;
  DelayBuffer small(4, 4);
  CHECK_THROWS_AS(small.schedule(q, &source, 1, 0, 4), UsageError);
  CHECK_THROWS_AS(DelayBuffer(4, -1), UsageError);
}

TEST_CASE("range-restricted propagation equals whole propagation", "[spiking]") {
  const Projection proj = fixed_probability_projection(Exec(), {300, 257, 0.1, 0.75, 5, kSpikingStream + 1});
  const std::vector<std::uint32_t> sources{0, 4, 9, 100, 101, 299};
  Kokkos::View<double*, Kokkos::HostSpace> whole("whole", 257);
  propagate(proj, sources, whole);
  std::vector<double> split(257, 0.0);
  for (const auto& [lo, hi] : std::vector<std::pair<std::size_t, std::size_t>>{{0, 64}, {64, 65}, {65, 200}, {200, 257}})
    propagate_range(proj, sources.data(), sources.size(), split.data(), lo, hi);
  bool same = true;
  for (std::size_t t = 0; t < 257; ++t) same = same && split[t] == whole(t);
  CHECK(same);
}

TEST_CASE("the fused CUBA loop equals lif_exp_step + propagate bit for bit", "[spiking]") {
  for (const auto& [ed, id] : std::vector<std::pair<int, int>>{{0, 0}, {15, 0}, {8, 20}}) {
    const CubaConfig c = short_config(11, ed, id);
    const CubaResult fast = run_cuba(Exec(), c);
    const CubaResult ref = reference_cuba(c);
    INFO("delays " << ed << " " << id << " spikes " << fast.spikes << " vs " << ref.spikes << " on "
                   << Exec::concurrency() << " threads");
    REQUIRE(ref.spikes > 500);
    CHECK(fast.spike_ids == ref.spike_ids);
    CHECK(fast.spike_times_ms == ref.spike_times_ms);
    CHECK(fast.synaptic_events == ref.synaptic_events);
    CHECK(fast.steps == 2000);
    CHECK(fast.blocks == std::min<std::size_t>(static_cast<std::size_t>(Exec::concurrency()), 4000 / 512));
    CHECK_FALSE(fast.interrupted);
  }
  // Delays change the dynamics (so the cases above test something).
  CHECK(run_cuba(Exec(), short_config(11, 15, 0)).spike_ids != run_cuba(Exec(), short_config(11, 0, 0)).spike_ids);
  CubaConfig bad = short_config(1, -1, 0);
  CHECK_THROWS_AS(run_cuba(Exec(), bad), UsageError);
}

TEST_CASE("CUBA in fp32 keeps Brian2's statistics", "[spiking]") {
  // fp32 state gives other spike trains than fp64 (the network is chaotic),
  // but the same statistics: per-seed bounds as for fp64, and fp32 vs fp64
  // means over 4 seeds within the seed-to-seed spread (~3% rate).
  double rate32 = 0, rate64 = 0, cv32 = 0, cv64 = 0;
  for (std::uint64_t s = 1; s <= 4; ++s) {
    CubaConfig c;
    c.seed = s;
    c.min_block_neurons = 512;
    c.precision = CubaPrecision::kFloat32;
    const CubaResult f = run_cuba(Exec(), c);
    c.precision = CubaPrecision::kFloat64;
    const CubaResult d = run_cuba(Exec(), c);
    INFO("seed " << s << " fp32 " << f.rate_hz << " / " << f.isi_cv << " fp64 " << d.rate_hz << " / " << d.isi_cv);
    CHECK(f.rate_hz > 4.8);
    CHECK(f.rate_hz < 6.8);
    CHECK(f.isi_cv > 0.45);
    CHECK(f.isi_cv < 0.62);
    CHECK(f.num_synapses == d.num_synapses);  // the same network
    rate32 += f.rate_hz / 4;
    rate64 += d.rate_hz / 4;
    cv32 += f.isi_cv / 4;
    cv64 += d.isi_cv / 4;
  }
  CHECK(std::abs(rate32 / rate64 - 1) < 0.05);
  CHECK(std::abs(cv32 / cv64 - 1) < 0.05);
  // fp32 is bit-identical across thread blocks too (2 blocks on 2 threads).
  CubaConfig split = short_config(5, 0, 3);
  split.precision = CubaPrecision::kFloat32;
  CubaConfig whole = split;
  whole.min_block_neurons = 1u << 30;
  const CubaResult a = run_cuba(Exec(), split), b = run_cuba(Exec(), whole);
  CHECK(b.blocks == 1);
  CHECK(a.spike_ids == b.spike_ids);
  CHECK(a.spike_times_ms == b.spike_times_ms);
}

// Hidden: degree statistics of CUBA's excitatory projection, printed to
// compare with Brian2's connect(p=0.02) by hand (docs/snn.md).
TEST_CASE("CUBA degree report", "[.][spiking_degree]") {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const Projection p = fixed_probability_projection(Exec(), {3200, 4000, 0.02, 1.62, seed, kSpikingStream + 1});
    std::vector<double> in(4000, 0.0);
    double out_m = 0, out_v = 0;
    for (std::size_t s = 0; s < 3200; ++s) {
      const double d = static_cast<double>(p.out_degree(s));
      out_m += d / 3200;
      out_v += d * d / 3200;
      for (std::size_t k = p.row_ptr(s); k < p.row_ptr(s + 1); ++k) in[p.targets(k)] += 1;
    }
    double in_m = 0, in_v = 0;
    for (const double d : in) {
      in_m += d / 4000;
      in_v += d * d / 4000;
    }
    std::printf("seed %llu synapses %zu in mean/var %.3f %.3f out mean/var %.3f %.3f\n",
                static_cast<unsigned long long>(seed), p.num_synapses(), in_m, in_v - in_m * in_m, out_m,
                out_v - out_m * out_m);
    // Binomial: in-degree 3200 p (1 - p) = 62.7, out-degree 4000 p (1 - p) = 78.4;
    // a sample variance over ~4000 degrees has a relative sd of ~2%.
    CHECK(std::abs((in_v - in_m * in_m) / 62.72 - 1) < 0.1);
    CHECK(std::abs((out_v - out_m * out_m) / 78.4 - 1) < 0.1);
  }
}
