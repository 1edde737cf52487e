// The state the Bio-MoE routers carry between tokens and steps (issue 6):
//
// Refractory resources (Tsodyks & Markram 1997, "The neural code between
// neocortical pyramidal neurons depends on neurotransmitter release
// probability", PNAS 94: depletion by a fraction U per use, exponential
// recovery with τ_rec). Time unit: one token; tokens are processed in batch
// order. Per token: the router reads availability a_e = x_e · (f if
// refractory_e > 0 else 1); after the token's choices, every expert's
// refractory counter counts down by one, each chosen expert loses U·x_e and
// becomes refractory for `period` tokens, then every expert recovers for one
// token: x_e ← 1 − (1 − x_e)·exp(−1/τ_rec). Closed forms (tested): one use
// from rest followed by k idle tokens leaves x = 1 − U·exp(−(k+1)/τ_rec); an
// expert used on every token settles at
//     x* = (1 − e^{−1/τ}) / (1 − (1 − U) e^{−1/τ}).
//
// Chemical field over an expert graph: c ≥ 0 per expert, explicit Euler steps
//     c ← c − dt·(D·L·c + k·c)
// with L = deg − A the (weighted) graph Laplacian, D the diffusion constant, k
// the decay rate. Stable and sign-preserving iff dt·(D·λ_max(L) + k) ≤ 1;
// configurations beyond the limit are rejected (UsageError naming bio.dt,
// bio.diffusion, bio.decay). λ_max in closed form: ring of n:
// 2 − 2cos(2π⌊n/2⌋/n); path of n: 2 − 2cos(π(n−1)/n); grid r×c (free
// boundary) = path(r) + path(c). A learned graph (complete, symmetric weights
// in [0, 1] whose weighted degrees never exceed 1, see learn()) is checked
// against Gershgorin's bound λ_max ≤ 2·max degree = 2, valid for every weight
// it can learn.
//
// Oja's rule (Oja 1982, "A simplified neuron model as a principal component
// analyzer", J. Math. Biol. 15): Δw = η·y·(x − y·w), y = x·w, which bounds
// |w| → 1; the step itself is models/spiking/plasticity.hpp's oja_step.
#pragma once
#include <string>
#include <vector>

namespace moesim::bio {

struct RefractoryParams {
  double use = 0.2;        // U in (0, 1]
  double tau_rec = 16.0;   // tokens, > 0
  int period = 1;          // tokens of refractoriness after serving, >= 0
  double floor = 0.5;      // availability factor while refractory, (0, 1]
};

class RefractoryState {
 public:
  RefractoryState() = default;
  RefractoryState(int experts, const RefractoryParams& p);
  int experts() const { return int(x_.size()); }
  double resources(int e) const { return x_[e]; }
  int refractory(int e) const { return counter_[e]; }
  double availability(int e) const { return x_[e] * (counter_[e] > 0 ? p_.floor : 1.0); }
  // One token: chosen[0..count) (−1 skipped) served it.
  void token(const int* chosen, int count);
  const RefractoryParams& params() const { return p_; }

 private:
  RefractoryParams p_;
  double recover_ = 0;  // exp(−1/τ_rec)
  std::vector<double> x_;
  std::vector<int> counter_;
};

enum class GraphKind { Grid, Ring, Learned };

struct ExpertGraph {
  GraphKind kind = GraphKind::Grid;
  int rows = 1, cols = 1;                  // grid shape (ring: 1 × n)
  std::vector<std::vector<int>> neighbours;  // ascending ids
  std::vector<double> weight;                // [n·n] edge weights (1 on grid / ring edges)
  double lambda_max = 0;                     // largest Laplacian eigenvalue (learned: its bound 2)

  // Grid: rows = the largest divisor of n not above √n, cols = n / rows.
  // Learned: complete graph, every weight 1/(n−1) (weighted degree 1).
  static ExpertGraph make(GraphKind kind, int n);
  double w(int i, int j) const { return weight[std::size_t(i) * neighbours.size() + std::size_t(j)]; }
  // Learned graphs: A ← (1 − rate)·A + rate·C / max_i Σ_j C_ij with C[n·n]
  // symmetric co-activation counts (zero diagonal); keeps every weighted
  // degree ≤ 1. No-op when C is all zero.
  void learn(const std::vector<double>& co_activation, double rate);
};

struct ChemicalParams {
  double diffusion = 0.5;   // D
  double decay = 0.05;      // k, per unit time
  double dt = 0.2;          // time per explicit step (stable on every grid and ring: D λ_max ≤ 8 D)
  int substeps = 1;         // explicit steps per training step
  double release = 1.0;     // per token, at its first-hop expert (divided by batch tokens)
  double consumption = 0.5; // c_e ← c_e·max(0, 1 − consumption·load_e/tokens)
  // UsageError naming the keys when dt·(D·λ_max + k) > 1 or a value is out of range.
  void validate(const ExpertGraph& g) const;
};

class ChemicalField {
 public:
  ChemicalField() = default;
  ChemicalField(ExpertGraph graph, const ChemicalParams& p);
  const std::vector<double>& concentration() const { return c_; }
  void set(const std::vector<double>& c) { c_ = c; }
  const ExpertGraph& graph() const { return g_; }
  ExpertGraph& graph() { return g_; }
  // One explicit step of diffusion and decay (serial: deterministic).
  void diffuse_step();
  // A training step: release at first hops, substeps of diffusion, consumption.
  void update(const std::vector<double>& release_count, const std::vector<double>& load, int tokens);
  double total() const;

 private:
  ExpertGraph g_;
  ChemicalParams p_;
  std::vector<double> c_, next_;
};

// Oja updates of w[d] from inputs x[n][d] (row-major): one online step per
// row, in row order, each at rate / n (a step's total rate is `rate`).
void oja_update(std::vector<double>& w, const float* x, int n, int d, double rate);

}  // namespace moesim::bio
