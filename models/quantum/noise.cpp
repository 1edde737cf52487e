#include "models/quantum/noise.hpp"

#include <algorithm>
#include <limits>

namespace moesim::quantum {

namespace {

void check_probability(const char* channel, const char* parameter, double v) {
  if (!(v >= 0 && v <= 1))
    throw UsageError(std::string("quantum: ") + channel + " " + parameter + " = " + std::to_string(v) +
                     " is out of range (accepted: 0 to 1)");
}

Gate1 scaled(const Gate1& g, double s) {
  Gate1 out = g;
  for (auto& e : out.m) e *= s;
  return out;
}

}  // namespace

KrausChannel depolarizing(double p) {
  check_probability("depolarizing", "p", p);
  const double s = std::sqrt(p / 3);
  return {"depolarizing", {scaled(gates::id(), std::sqrt(1 - p)), scaled(gates::x(), s), scaled(gates::y(), s),
                           scaled(gates::z(), s)}};
}

KrausChannel amplitude_damping(double gamma) {
  check_probability("amplitude_damping", "gamma", gamma);
  return {"amplitude_damping",
          {gates::make1(1.0, 0.0, 0.0, std::sqrt(1 - gamma)), gates::make1(0.0, std::sqrt(gamma), 0.0, 0.0)}};
}

KrausChannel phase_damping(double lambda) {
  check_probability("phase_damping", "lambda", lambda);
  return {"phase_damping",
          {gates::make1(1.0, 0.0, 0.0, std::sqrt(1 - lambda)), gates::make1(0.0, 0.0, 0.0, std::sqrt(lambda))}};
}

KrausChannel thermal_relaxation(double t1_s, double t2_s, double duration_s) {
  if (!(t1_s > 0)) throw UsageError("quantum: thermal_relaxation t1_s = " + std::to_string(t1_s) + " must be > 0");
  if (!(t2_s > 0)) throw UsageError("quantum: thermal_relaxation t2_s = " + std::to_string(t2_s) + " must be > 0");
  if (!(duration_s >= 0) || std::isinf(duration_s))
    throw UsageError("quantum: thermal_relaxation duration_s = " + std::to_string(duration_s) +
                     " must be finite and >= 0");
  if (t2_s > 2 * t1_s)
    throw UsageError("quantum: thermal_relaxation t2_s = " + std::to_string(t2_s) + " exceeds 2 * t1_s = " +
                     std::to_string(2 * t1_s) + " (T2 <= 2 T1 is required)");
  // Composition of amplitude damping (γ) and phase damping (λ): the products
  // of their Kraus operators, one of which is zero.
  const double gamma = -std::expm1(-duration_s / t1_s);  // 1 − e^{−t/T1}
  const double rate_phi = std::max(0.0, 1.0 / t2_s - 0.5 / t1_s);  // 1/Tφ
  const double lambda = -std::expm1(-2.0 * duration_s * rate_phi);  // √(1−λ) = e^{−t/Tφ}
  const double keep = std::exp(-duration_s / (2 * t1_s)) * std::exp(-duration_s * rate_phi);  // e^{−t/T2}
  return {"thermal_relaxation",
          {gates::make1(1.0, 0.0, 0.0, keep), gates::make1(0.0, std::sqrt(gamma), 0.0, 0.0),
           gates::make1(0.0, 0.0, 0.0, std::sqrt(lambda * (1 - gamma)))}};
}

bool is_trace_preserving(const KrausChannel& channel, double tol) {
  cplx s[4] = {};
  for (const auto& k : channel.ops)
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 2; ++c)
        for (int j = 0; j < 2; ++j) s[2 * r + c] += std::conj(k.m[2 * j + r]) * k.m[2 * j + c];
  double err = 0;
  for (int e = 0; e < 4; ++e) err = std::max(err, std::abs(s[e] - cplx(e == 0 || e == 3 ? 1.0 : 0.0, 0.0)));
  return err <= tol;
}

std::vector<double> kraus_probabilities(const KrausChannel& channel, const std::array<cplx, 4>& rho) {
  std::vector<double> p;
  p.reserve(channel.ops.size());
  for (const auto& k : channel.ops) {
    // Tr(K ρ K†) = Σ_r (K ρ K†)_rr = Σ_r Σ_{b,c} K_rb ρ_bc conj(K_rc)
    double t = 0;
    for (int r = 0; r < 2; ++r)
      for (int b = 0; b < 2; ++b)
        for (int c = 0; c < 2; ++c) t += (k.m[2 * r + b] * rho[2 * b + c] * std::conj(k.m[2 * r + c])).real();
    p.push_back(std::max(0.0, t));
  }
  return p;
}

Gate2 superoperator(const KrausChannel& channel) {
  Gate2 s{};
  for (const auto& k : channel.ops)
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 2; ++c)
        for (int r2 = 0; r2 < 2; ++r2)
          for (int c2 = 0; c2 < 2; ++c2)
            s.m[4 * (r + 2 * c) + (r2 + 2 * c2)] += k.m[2 * r + r2] * std::conj(k.m[2 * c + c2]);
  return s;
}

}  // namespace moesim::quantum
