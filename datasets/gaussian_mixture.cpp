#include "datasets/gaussian_mixture.hpp"

#include "core/error.hpp"
#include "core/philox.hpp"

#include <cmath>

namespace moesim {

namespace {

// Counter sections inside the data stream, so that the draws of one step
// never overlap another's whatever the sizes.
constexpr std::uint64_t kMeansSection = 1;
constexpr std::uint64_t kClusterSection = 2;
constexpr std::uint64_t kNoiseSection = 3;

constexpr std::uint64_t counter(std::uint64_t section, std::uint64_t index) {
  return (section << 56) | index;
}

}  // namespace

void check_gaussian_mixture(const GaussianMixtureSpec& s) {
  auto require = [](bool ok, const std::string& key, const std::string& value, const std::string& accepted) {
    if (!ok) throw UsageError(key + ": " + value + " is not accepted (accepted: " + accepted + ")");
  };
  require(s.examples >= 2, "data.examples", std::to_string(s.examples), "an integer >= 2");
  require(s.dim >= 1, "data.dim", std::to_string(s.dim), "an integer >= 1");
  require(s.clusters >= 1, "data.clusters", std::to_string(s.clusters), "an integer >= 1");
  require(s.classes >= 2 && s.classes <= s.clusters, "data.classes", std::to_string(s.classes),
          "2..data.clusters = " + std::to_string(s.clusters) + ", every class needs a cluster");
  require(s.separation >= 0.0 && std::isfinite(s.separation), "data.separation",
          std::to_string(s.separation), "a finite number >= 0");
  require(s.noise >= 0.0 && std::isfinite(s.noise), "data.noise", std::to_string(s.noise),
          "a finite number >= 0");
  // Counter sections hold 2^56 draws.
  require(static_cast<double>(s.examples) * static_cast<double>(s.dim) < 0x1.0p56, "data.examples",
          std::to_string(s.examples), "examples * dim < 2^56");
}

std::vector<double> gaussian_mixture_means(const GaussianMixtureSpec& s) {
  check_gaussian_mixture(s);
  const PhiloxKey key{s.seed, streams::kData};
  const std::size_t k = static_cast<std::size_t>(s.clusters), d = static_cast<std::size_t>(s.dim);
  const std::size_t classes = static_cast<std::size_t>(s.classes);
  std::vector<double> mu(k * d);
  for (std::size_t i = 0; i < k * d; ++i) mu[i] = Philox::normal(key, counter(kMeansSection, i));
  // Centre every class with >= 2 clusters on its own centroid.
  for (std::size_t cls = 0; cls < classes; ++cls) {
    std::size_t members = 0;
    for (std::size_t c = cls; c < k; c += classes) ++members;
    if (members < 2) continue;
    for (std::size_t j = 0; j < d; ++j) {
      double centroid = 0.0;
      for (std::size_t c = cls; c < k; c += classes) centroid += mu[c * d + j];
      centroid /= static_cast<double>(members);
      for (std::size_t c = cls; c < k; c += classes) mu[c * d + j] -= centroid;
    }
  }
  double sq = 0.0;
  for (double v : mu) sq += v * v;
  const double rms = std::sqrt(sq / static_cast<double>(k));
  const double scale = rms > 0.0 ? s.separation / rms : 0.0;
  for (double& v : mu) v *= scale;
  return mu;
}

Dataset generate_gaussian_mixture(const GaussianMixtureSpec& s) {
  const std::vector<double> mu = gaussian_mixture_means(s);
  const PhiloxKey key{s.seed, streams::kData};
  const std::size_t n = static_cast<std::size_t>(s.examples), d = static_cast<std::size_t>(s.dim);
  Dataset out;
  out.name = "gaussian-mixture";
  out.num_classes = static_cast<int>(s.classes);
  out.num_clusters = static_cast<int>(s.clusters);
  out.features = make_matrix("gaussian-mixture", n, d);
  out.labels.resize(n);
  out.ids.resize(n);
  out.clusters.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(
        Philox::below(key, counter(kClusterSection, i), static_cast<std::uint64_t>(s.clusters)));
    out.clusters[i] = c;
    out.labels[i] = c % static_cast<int>(s.classes);
    out.ids[i] = i;
  }
  auto x = out.features;
  const double* means = mu.data();
  const int* cl = out.clusters.data();
  const double noise = s.noise;
  Kokkos::parallel_for(
      "gaussian_mixture_generate", Kokkos::RangePolicy<HostExec>(0, n), [=](const std::size_t i) {
        const double* m = means + static_cast<std::size_t>(cl[i]) * d;
        for (std::size_t j = 0; j < d; ++j)
          x(i, j) = static_cast<float>(m[j] + noise * Philox::normal(key, counter(kNoiseSection, i * d + j)));
      });
  Kokkos::fence();
  return out;
}

}  // namespace moesim
