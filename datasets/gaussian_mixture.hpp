// Gaussian mixture generator with ground-truth components (data.name =
// gaussian-mixture, the built-in default problem).
//
// Construction, all draws from Philox keyed (data.seed, streams::kData):
//  1. Raw means z_c ~ N(0, I_dim) for each cluster c (counter section 1).
//  2. Cluster c has class c % classes. For every class with two or more
//     clusters, its clusters' means are centred on their own centroid, so
//     every such class has its centroid at the origin: the class-conditional
//     means coincide and the classes are NOT linearly separable (with two
//     clusters a class is an antipodal pair ±v: a linear score w·x + b gives
//     its mean b at the class centroid, so at most one class can win on all
//     its clusters). A router that separates clusters — which a linear gate
//     can — lets per-cluster experts solve it, which is what the MoE is for.
//  3. The centred means are scaled so that their root-mean-square norm is
//     data.separation (in the same units as data.noise).
//  4. Example i: cluster uniform in [0, clusters) (counter section 2), then
//     x_i = mean_cluster + noise * N(0, I_dim) (counter section 3).
// Features are not normalised further (they are already centred, each
// coordinate with variance ≈ separation² / dim + noise²).
//
// Measured separability (NumPy on the generated data; test = the last 20% in
// generation order; 12000 examples, dim 32, 8 clusters, 4 classes, noise 1):
//                                        sep 3 (default)       sep 2   sep 4
//                                        seed 0  seed 1  seed 2  seed 0  seed 0
//   Bayes-optimal (true means, noise)     0.919   0.912   0.903   0.728   0.980
//   class of the nearest true mean        0.919   0.912   0.903   0.727   0.980
//   softmax regression (linear, GD)       0.251   0.252   0.245   0.253   0.251
//   MLP, 64 ReLU units, Adam, 5 epochs    0.915   0.903   0.893   0.711   0.979
// So the default is at chance for any linear classifier, ~0.92 at best, and
// learnt in under a thousand batch-64 steps by a model that can separate
// the clusters first. The test "Gaussian mixture: separability of the
// default problem" (tests/test_datasets.cpp) re-checks the nearest-mean
// figure and a least-squares linear classifier (0.2525) in C++.
#pragma once
#include "datasets/dataset.hpp"

#include <cstdint>
#include <vector>

namespace moesim {

struct GaussianMixtureSpec {
  std::int64_t examples = 12000;
  std::int64_t dim = 32;
  std::int64_t clusters = 8;
  std::int64_t classes = 4;   // cluster c has class c % classes; classes <= clusters
  double separation = 3.0;    // RMS norm of the cluster means
  double noise = 1.0;         // within-cluster standard deviation per coordinate
  std::uint64_t seed = 0;
};

// Throws UsageError naming the data.* key if the spec is inconsistent.
void check_gaussian_mixture(const GaussianMixtureSpec& spec);

// The cluster means, [clusters, dim] row-major (steps 1–3 above).
std::vector<double> gaussian_mixture_means(const GaussianMixtureSpec& spec);

// All examples in generation order (ids 0..N-1, clusters and labels set).
Dataset generate_gaussian_mixture(const GaussianMixtureSpec& spec);

}  // namespace moesim
