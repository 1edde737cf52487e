// data.* keys, registration, and dispatch on data.name to the loaders
// (idx_reader, gaussian_mixture, hdf5_arrays); split rules in splits.hpp.
#include "datasets/dataset.hpp"

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "datasets/gaussian_mixture.hpp"
#include "datasets/hdf5_arrays.hpp"
#include "datasets/idx_reader.hpp"
#include "datasets/splits.hpp"

#include <optional>

namespace moesim {

namespace {

std::optional<std::int64_t> validation_key(const Config& c) {
  if (!c.has("data.validation") || c.get("data.validation").empty()) return std::nullopt;
  return c.get_int("data.validation");
}

GaussianMixtureSpec gaussian_spec(const Config& c) {
  GaussianMixtureSpec s;
  s.examples = c.get_int("data.examples");
  s.dim = c.get_int("data.dim");
  s.clusters = c.get_int("data.clusters");
  s.classes = c.get_int("data.classes");
  s.separation = c.get_real("data.separation");
  s.noise = c.get_real("data.noise");
  const std::int64_t seed = c.get_int("data.seed");
  if (seed < 0) throw UsageError("data.seed: " + std::to_string(seed) + " is negative (accepted: integers >= 0)");
  s.seed = static_cast<std::uint64_t>(seed);
  return s;
}

FashionMnistSpec fashion_spec(const Config& c) {
  FashionMnistSpec s;
  if (c.has("data.path") && !c.get("data.path").empty()) s.dir = c.get("data.path");
  s.validation = validation_key(c);
  return s;
}

Hdf5Spec hdf5_spec(const Config& c) {
  if (!c.has("data.path") || c.get("data.path").empty())
    throw UsageError("data.path: not set (accepted: the HDF5 file to read, required for data.name = hdf5)");
  Hdf5Spec s;
  s.path = c.get("data.path");
  s.features = c.get("data.features");
  s.labels = c.get("data.labels");
  if (s.features.empty()) throw UsageError("data.features: empty (accepted: a dataset path inside the HDF5 file)");
  if (s.labels.empty()) throw UsageError("data.labels: empty (accepted: a dataset path inside the HDF5 file)");
  return s;
}

[[noreturn]] void unknown_name(const std::string& name) {
  throw UsageError("data.name: unknown dataset '" + name +
                   "' (accepted: gaussian-mixture, fashion-mnist, hdf5)");
}

}  // namespace

void declare_dataset_keys(ConfigSchema& schema) {
  using K = KeyType;
  KeySpec name = make_key("data.name", K::Choice, "gaussian-mixture",
                     "dataset: gaussian-mixture (generated), fashion-mnist (IDX files), hdf5 (arrays in a file)");
  name.choices = {"gaussian-mixture", "fashion-mnist", "hdf5"};
  schema.declare(name);
  schema.declare(make_key("data.path", K::Path, "",
                     std::string("fashion-mnist: directory with the four *-ubyte.gz files (default ") +
                         kFashionMnistDefaultDir + "); hdf5: the file (required)"));
  schema.declare(make_key("data.features", K::String, "features",
                     "hdf5: dataset path of the float [N, d] feature matrix"));
  schema.declare(make_key("data.labels", K::String, "labels",
                     "hdf5: dataset path of the integer [N] labels, classes 0..C-1"));
  schema.declare(make_key("data.test_fraction", K::Real, "0.2",
                     "hdf5, gaussian-mixture: the last fraction of the examples (file order) is the test set",
                     0.0, true, 1.0, true));
  schema.declare(make_key("data.validation", K::Int, "",
                     "examples held out of the end of the training examples for validation (default: 10%)",
                     0.0));
  schema.declare(make_key("data.examples", K::Int, "12000", "gaussian-mixture: number of examples", 2.0));
  schema.declare(make_key("data.dim", K::Int, "32", "gaussian-mixture: features per example", 1.0));
  schema.declare(make_key("data.clusters", K::Int, "8", "gaussian-mixture: mixture components", 1.0));
  schema.declare(make_key("data.classes", K::Int, "4",
                     "gaussian-mixture: classes (cluster c has class c % classes; <= data.clusters)", 2.0));
  schema.declare(make_key("data.separation", K::Real, "3",
                     "gaussian-mixture: root-mean-square norm of the cluster means", 0.0));
  schema.declare(make_key("data.noise", K::Real, "1",
                     "gaussian-mixture: within-cluster standard deviation per feature", 0.0));
  schema.declare(make_key("data.seed", K::Int, "0", "gaussian-mixture: generator seed (Philox)", 0.0));
}

void register_datasets(Registry& registry) {
  registry.add_dataset("gaussian-mixture",
                       "generated Gaussian mixture with ground-truth clusters, classes not linearly separable");
  registry.add_dataset("fashion-mnist", "Fashion-MNIST from IDX files (60000 train, 10000 test, 784 features)");
  registry.add_dataset("hdf5", "features [N, d] and labels [N] from an HDF5 file");
}

void validate_dataset(const Config& config) {
  const std::string name = config.get("data.name");
  if (name == "gaussian-mixture") {
    const GaussianMixtureSpec s = gaussian_spec(config);
    check_gaussian_mixture(s);
    const std::size_t n = static_cast<std::size_t>(s.examples);
    const std::size_t n_test = test_count(config.get_real("data.test_fraction"), n, "the Gaussian mixture");
    validation_count(validation_key(config), n - n_test, "the Gaussian mixture without its test set");
  } else if (name == "fashion-mnist") {
    validate_fashion_mnist(fashion_spec(config));
  } else if (name == "hdf5") {
    const Hdf5Spec s = hdf5_spec(config);
    const Hdf5Shape shape = check_hdf5_arrays(s);
    const std::string what = s.path;
    const std::size_t n_test = test_count(config.get_real("data.test_fraction"), shape.examples, what);
    validation_count(validation_key(config), shape.examples - n_test, what + " without its test set");
  } else {
    unknown_name(name);
  }
}

DatasetSplits load_dataset(const Config& config) {
  const std::string name = config.get("data.name");
  if (name == "gaussian-mixture")
    return split_dataset(generate_gaussian_mixture(gaussian_spec(config)),
                         config.get_real("data.test_fraction"), validation_key(config),
                         "the Gaussian mixture");
  if (name == "fashion-mnist") return load_fashion_mnist(fashion_spec(config));
  if (name == "hdf5") {
    const Hdf5Spec s = hdf5_spec(config);
    return split_dataset(read_hdf5_arrays(s), config.get_real("data.test_fraction"), validation_key(config),
                         s.path);
  }
  unknown_name(name);
}

}  // namespace moesim
