#include "models/bio/bio_dynamics.hpp"

#include "core/error.hpp"
#include "models/spiking/plasticity.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace moesim::bio {

namespace {
constexpr double kPi = 3.14159265358979323846;
std::string text(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}
double path_lambda_max(int n) { return n <= 1 ? 0.0 : 2.0 - 2.0 * std::cos(kPi * (n - 1) / n); }
}  // namespace

RefractoryState::RefractoryState(int experts, const RefractoryParams& p)
    : p_(p), recover_(std::exp(-1.0 / p.tau_rec)), x_(std::size_t(experts), 1.0),
      counter_(std::size_t(experts), 0) {}

void RefractoryState::token(const int* chosen, int count) {
  for (auto& c : counter_)
    if (c > 0) --c;
  for (int j = 0; j < count; ++j) {
    const int e = chosen[j];
    if (e < 0) continue;
    x_[e] -= p_.use * x_[e];
    counter_[e] = p_.period;
  }
  for (auto& x : x_) x = 1.0 - (1.0 - x) * recover_;
}

ExpertGraph ExpertGraph::make(GraphKind kind, int n) {
  ExpertGraph g;
  g.kind = kind;
  g.neighbours.assign(std::size_t(n), {});
  g.weight.assign(std::size_t(n) * std::size_t(n), 0.0);
  auto link = [&](int a, int b) {
    if (a != b) g.weight[std::size_t(a) * n + b] = g.weight[std::size_t(b) * n + a] = 1.0;
    if (a == b) return;
    auto& na = g.neighbours[a];
    if (std::find(na.begin(), na.end(), b) == na.end()) na.push_back(b);
    auto& nb = g.neighbours[b];
    if (std::find(nb.begin(), nb.end(), a) == nb.end()) nb.push_back(a);
  };
  if (kind == GraphKind::Learned) {
    g.rows = 1;
    g.cols = n;
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j) link(i, j);
    for (auto& v : g.weight) v = n > 1 && v > 0 ? 1.0 / (n - 1) : 0.0;
    g.lambda_max = 2.0;  // Gershgorin: 2 · max weighted degree, degrees kept ≤ 1
  } else if (kind == GraphKind::Ring) {
    g.rows = 1;
    g.cols = n;
    for (int i = 0; i < n; ++i) link(i, (i + 1) % n);
    g.lambda_max = n <= 2 ? path_lambda_max(n) : 2.0 - 2.0 * std::cos(2.0 * kPi * (n / 2) / n);
  } else {
    int rows = 1;
    for (int r = 1; r * r <= n; ++r)
      if (n % r == 0) rows = r;
    g.rows = rows;
    g.cols = n / rows;
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.cols; ++c) {
        const int i = r * g.cols + c;
        if (c + 1 < g.cols) link(i, i + 1);
        if (r + 1 < g.rows) link(i, i + g.cols);
      }
    g.lambda_max = path_lambda_max(g.rows) + path_lambda_max(g.cols);
  }
  for (auto& nb : g.neighbours) std::sort(nb.begin(), nb.end());
  return g;
}

void ExpertGraph::learn(const std::vector<double>& c, double rate) {
  const std::size_t n = neighbours.size();
  double max_degree = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double d = 0.0;
    for (std::size_t j = 0; j < n; ++j) d += i == j ? 0.0 : c[i * n + j];
    max_degree = std::max(max_degree, d);
  }
  if (!(max_degree > 0.0)) return;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (i != j) weight[i * n + j] = (1.0 - rate) * weight[i * n + j] + rate * c[i * n + j] / max_degree;
}

void ChemicalParams::validate(const ExpertGraph& g) const {
  auto bad = [](const std::string& key, double v, const std::string& accepted) {
    throw UsageError(key + " = " + text(v) + " (accepted: " + accepted + ")");
  };
  if (!(diffusion >= 0.0)) bad("bio.diffusion", diffusion, "a real number >= 0");
  if (!(decay >= 0.0)) bad("bio.decay", decay, "a real number >= 0");
  if (!(dt > 0.0)) bad("bio.dt", dt, "a real number > 0");
  if (substeps < 1) bad("bio.substeps", substeps, "an integer >= 1");
  if (!(release >= 0.0)) bad("bio.release", release, "a real number >= 0");
  if (!(consumption >= 0.0 && consumption <= 1.0)) bad("bio.consumption", consumption, "a real number in [0, 1]");
  const double rate = diffusion * g.lambda_max + decay;
  if (dt * rate > 1.0)
    throw UsageError("bio.dt = " + text(dt) + " is beyond the stability limit of the explicit Laplacian step: dt * (bio.diffusion * lambda_max + bio.decay) = " +
                     text(dt) + " * (" + text(diffusion) + " * " + text(g.lambda_max) + " + " + text(decay) +
                     ") = " + text(dt * rate) + " > 1 (accepted: bio.dt <= " + text(1.0 / rate) +
                     ", or a smaller bio.diffusion / bio.decay)");
}

ChemicalField::ChemicalField(ExpertGraph graph, const ChemicalParams& p)
    : g_(std::move(graph)), p_(p), c_(g_.neighbours.size(), 0.0), next_(c_.size(), 0.0) {
  p_.validate(g_);
}

void ChemicalField::diffuse_step() {
  const std::size_t n = c_.size();
  for (std::size_t i = 0; i < n; ++i) {
    double lap = 0.0;  // (L c)_i = Σ_j w_ij (c_i − c_j)
    for (int j : g_.neighbours[i]) lap += g_.w(int(i), j) * (c_[i] - c_[j]);
    next_[i] = c_[i] - p_.dt * (p_.diffusion * lap + p_.decay * c_[i]);
  }
  c_.swap(next_);
}

void ChemicalField::update(const std::vector<double>& release_count, const std::vector<double>& load,
                           int tokens) {
  const double per = tokens > 0 ? 1.0 / tokens : 0.0;
  for (std::size_t e = 0; e < c_.size(); ++e) c_[e] += p_.release * release_count[e] * per;
  for (int s = 0; s < p_.substeps; ++s) diffuse_step();
  for (std::size_t e = 0; e < c_.size(); ++e)
    c_[e] *= std::max(0.0, 1.0 - p_.consumption * load[e] * per);
}

double ChemicalField::total() const {
  double s = 0.0;
  for (double v : c_) s += v;
  return s;
}

void oja_update(std::vector<double>& w, const float* x, int n, int d, double rate) {
  if (n <= 0) return;
  // Online Oja steps in token order (models/spiking/plasticity), each at rate / n.
  const spiking::OjaRule rule{rate / n};
  std::vector<double> xt(static_cast<std::size_t>(d));
  for (int t = 0; t < n; ++t) {
    for (int i = 0; i < d; ++i) xt[i] = x[std::size_t(t) * d + i];
    spiking::oja_step<double>(rule, xt.data(), d, w.data());
  }
}

}  // namespace moesim::bio
