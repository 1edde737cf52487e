// The pheromone field of the stigmergic router: τ[bucket, expert] in shared
// memory (a Kokkos View), a SimHash bucketing of token features, the
// post-step update rules (evaporation + quality-proportional reinforcement
// with MAX–MIN bounds, or the AntNet rule) and the "expert highway" metrics.
//
// Update rules (docs/stigmergic.md gives the worked example):
//  * quality of token t in bucket b:  q_t = max(0, μ_b − ℓ_t), ℓ_t its
//    cross-entropy (nats) on the step that routed it, μ_b the running mean of
//    bucket b's per-token loss before this step (EMA with momentum m over the
//    steps that saw the bucket; initialised with the bucket's first mean). A
//    token reinforces only when its expert did better than the bucket usually
//    does — a loss decrease relative to the bucket's baseline.
//  * maxmin (Stützle & Hoos 2000, MAX–MIN Ant System):
//      τ[b,e] ← clamp((1−ρ)·τ[b,e] + Q · Σ_{t∈b, e chosen by t} q_t / n_b, τ_min, τ_max)
//    for every (b, e), n_b = tokens of bucket b in the step; τ starts at τ_max.
//  * antnet (Di Caro & Dorigo 1998, AntNet, JAIR 9): rows are routing
//    probabilities (start 1/E); every token t, in token order, with
//    r_t = tanh(Q · q_t / μ_b) / n_b ∈ [0, 1), for each expert e it chose:
//      τ[b,e] ← τ[b,e] + r_t (1 − τ[b,e]),  τ[b,e'] ← τ[b,e'] − r_t τ[b,e'] (e' ≠ e);
//    no separate evaporation (ρ is unused: the normalised rule decays the
//    other edges). Then the same clamp to [τ_min, τ_max].
// Non-finite losses give q = 0; a NaN entry would clamp to τ_min. Every loop
// is serial in (bucket, expert, token) order: bit-identical for any thread count.
#pragma once
#include "core/tensor.hpp"
#include "moe/router.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace moesim {

struct StigmergyParams {
  enum class Update { MaxMin, AntNet };
  enum class Selection { TopK, Sample };
  int hash_bits = 4;            // buckets = 2^hash_bits
  double rho = 0.05;            // evaporation rate, (0, 1]
  double alpha = 1.0;           // pheromone exponent, >= 0
  double beta = 1.0;            // gate affinity exponent, >= 0
  double tau_min = 0.01, tau_max = 1.0;
  double reinforcement = 1.0;   // Q: deposit per nat of loss decrease
  double baseline_momentum = 0.9;  // m of the per-bucket loss baseline, [0, 1)
  Update update = Update::MaxMin;
  Selection selection = Selection::TopK;
  int snapshot_every = 25;      // τ snapshot in the trace every N steps (and at step 1); 0 = never

  // Reads stigmergy.* from spec.config (defaults above when absent) and
  // checks every value; throws UsageError naming the key.
  static StigmergyParams from_spec(const RouterSpec& spec);
  // Checks a parameter set (the same messages as from_spec).
  void validate() const;
};

// Locality-sensitive hash: sign random projections (Charikar 2002, SimHash).
// Hyperplane j ~ N(0, I) from Philox (seed, stream, counter j·d + i); bit j of
// the bucket is [x · h_j >= 0].
class SimHash {
 public:
  SimHash(int bits, int d_model, std::uint64_t seed, std::uint64_t stream);
  int buckets() const { return 1 << bits_; }
  // bucket of every row of x [T, d_model].
  void hash(const HostMatrix& x, std::vector<int>& out) const;

 private:
  int bits_, d_;
  Kokkos::View<double**, Kokkos::LayoutRight, HostSpace> planes_;  // [bits, d]
};

struct HighwayMetrics {
  double strongest_edge_fraction = 0;  // tokens whose first choice is argmax_e τ[b,:] (at routing time)
  double saturated_edges = 0;          // edges with τ >= τ_max after the update
  double entropy_nats = 0;             // mean over buckets of H(τ[b,:] / Σ τ[b,:])
  double cluster_agreement = 0;        // mean over clusters of the share on its most common expert (NaN: no clusters)
  double distinct_cluster_experts = 0; // distinct dominant experts / clusters present (NaN: no clusters)
  double mean_quality_nats = 0;        // mean q_t over the step's tokens
};

class PheromoneField {
 public:
  PheromoneField(int buckets, int experts, const StigmergyParams& params);

  int buckets() const { return static_cast<int>(tau_.extent(0)); }
  int experts() const { return static_cast<int>(tau_.extent(1)); }
  double tau(int b, int e) const { return tau_(b, e); }
  void set_tau(int b, int e, double v) { tau_(b, e) = v; }
  const Kokkos::View<double**, Kokkos::LayoutRight, HostSpace>& view() const { return tau_; }
  const std::vector<double>& baseline() const { return baseline_; }  // μ_b (NaN: not seen yet)

  // One post-step update. bucket [T], chosen [T·k] (-1 = none), loss [T].
  // Returns the mean quality q over the tokens.
  double update(const std::vector<int>& bucket, const std::vector<int>& chosen, int k,
                const double* loss);

  // Strongest edge of bucket b (ties → lowest expert).
  int strongest(int b) const;
  int saturated_edges() const;
  double mean_entropy_nats() const;

 private:
  StigmergyParams p_;
  Kokkos::View<double**, Kokkos::LayoutRight, HostSpace> tau_;
  std::vector<double> baseline_;
};

// Cluster agreement of first choices: for each cluster present, the share of
// its tokens on its most common expert (ties → lowest); the mean over
// clusters, and distinct dominant experts / clusters present. NaN, NaN when
// clusters is null or no token has a cluster in [0, num_clusters).
void cluster_agreement(const int* clusters, int num_clusters, const std::vector<int>& first_choice,
                       int experts, double& agreement, double& distinct);

}  // namespace moesim
