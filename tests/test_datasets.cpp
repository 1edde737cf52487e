// datasets/: IDX reader and Fashion-MNIST, Gaussian mixture, split rules.
// IDX fixture files are written by the tests (zlib) into a temporary
// directory. HDF5 arrays and the data.* keys: test_datasets_hdf5.cpp.
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "datasets/dataset.hpp"
#include "datasets/gaussian_mixture.hpp"
#include "datasets/idx_reader.hpp"
#include "datasets/splits.hpp"
#include "test_datasets_helpers.hpp"

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace moesim;
using namespace moesim::test_datasets;

namespace {

std::vector<unsigned char> be32(std::uint32_t v) {
  return {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
          static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
}

// The bytes of an IDX file: magic, dims, payload.
std::vector<unsigned char> idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims,
                                     const std::vector<unsigned char>& payload) {
  std::vector<unsigned char> out = be32(magic);
  for (auto d : dims) {
    auto b = be32(d);
    out.insert(out.end(), b.begin(), b.end());
  }
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

void write_gz(const std::string& path, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  if (!bytes.empty()) REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

std::vector<unsigned char> ramp(std::size_t n, unsigned mul, unsigned add, unsigned mod) {
  std::vector<unsigned char> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<unsigned char>((i * mul + add) % mod);
  return v;
}

// A small Fashion-MNIST-like directory: 20 train and 5 test images of 2 x 3.
struct SmallFashion {
  TempDir dir;
  std::vector<unsigned char> train_px = ramp(20 * 6, 37, 11, 256), train_lb = ramp(20, 3, 1, 10);
  std::vector<unsigned char> test_px = ramp(5 * 6, 53, 7, 256), test_lb = ramp(5, 7, 2, 10);
  explicit SmallFashion(bool gz = true) {
    auto w = [&](const std::string& name, const std::vector<unsigned char>& b) {
      if (gz) write_gz(dir / (name + ".gz"), b);
      else write_plain(dir / name, b);
    };
    w("train-images-idx3-ubyte", idx_bytes(kIdxImagesMagic, {20, 2, 3}, train_px));
    w("train-labels-idx1-ubyte", idx_bytes(kIdxLabelsMagic, {20}, train_lb));
    w("t10k-images-idx3-ubyte", idx_bytes(kIdxImagesMagic, {5, 2, 3}, test_px));
    w("t10k-labels-idx1-ubyte", idx_bytes(kIdxLabelsMagic, {5}, test_lb));
  }
  std::string path(const std::string& name) const { return dir / name; }
};

}  // namespace

// ============================================================== IDX / Fashion-MNIST

TEST_CASE("IDX files round-trip, gzip-compressed and plain", "[datasets]") {
  for (bool gz : {true, false}) {
    SmallFashion fx(gz);
    const std::string suffix = gz ? ".gz" : "";
    CHECK(find_idx_file(fx.dir.path.string(), "train-images-idx3-ubyte") ==
          fx.path("train-images-idx3-ubyte" + suffix));
    const IdxImages im = read_idx_images(fx.path("train-images-idx3-ubyte" + suffix));
    CHECK(im.count == 20);
    CHECK(im.rows == 2);
    CHECK(im.cols == 3);
    CHECK(im.pixels == fx.train_px);
    const IdxLabels lb = read_idx_labels(fx.path("t10k-labels-idx1-ubyte" + suffix));
    CHECK(lb.count == 5);
    CHECK(lb.labels == fx.test_lb);
    const IdxHeader h = check_idx_file(fx.path("t10k-images-idx3-ubyte" + suffix), kIdxImagesMagic);
    CHECK(h.dims == std::vector<std::uint32_t>{5, 2, 3});
    CHECK_NOTHROW(validate_fashion_mnist({fx.dir.path.string(), std::nullopt}));
  }
}

TEST_CASE("Fashion-MNIST loader: splits, ids and standardisation", "[datasets]") {
  SmallFashion fx;
  const DatasetSplits s = load_fashion_mnist({fx.dir.path.string(), std::nullopt});
  // 20 train-file examples: default validation 10% = 2 (the last two).
  REQUIRE(s.train.size() == 18);
  REQUIRE(s.validation.size() == 2);
  REQUIRE(s.test.size() == 5);
  CHECK(s.train.dim() == 6);
  CHECK(s.test.num_classes == 10);
  CHECK(s.train.clusters.empty());
  CHECK(s.validation.ids == std::vector<std::uint64_t>{18, 19});
  CHECK(s.test.ids == std::vector<std::uint64_t>{20, 21, 22, 23, 24});
  CHECK(s.validation.labels[1] == fx.train_lb[19]);
  CHECK(s.test.labels[4] == fx.test_lb[4]);
  // Global mean / std of p / 255 over the 18 training examples.
  double sum = 0, sq = 0;
  const std::size_t n = 18 * 6;
  for (std::size_t k = 0; k < n; ++k) {
    sum += fx.train_px[k] / 255.0;
    sq += (fx.train_px[k] / 255.0) * (fx.train_px[k] / 255.0);
  }
  const double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
  CHECK(s.train.features(0, 0) == Catch::Approx((fx.train_px[0] / 255.0 - mean) / sd).epsilon(1e-5));
  CHECK(s.validation.features(1, 5) == Catch::Approx((fx.train_px[19 * 6 + 5] / 255.0 - mean) / sd).epsilon(1e-5));
  CHECK(s.test.features(2, 3) == Catch::Approx((fx.test_px[2 * 6 + 3] / 255.0 - mean) / sd).epsilon(1e-5));
  double tsum = 0, tsq = 0;
  for (std::size_t i = 0; i < 18; ++i)
    for (std::size_t j = 0; j < 6; ++j) {
      tsum += s.train.features(i, j);
      tsq += s.train.features(i, j) * s.train.features(i, j);
    }
  CHECK(tsum / n == Catch::Approx(0.0).margin(1e-5));
  CHECK(tsq / n == Catch::Approx(1.0).epsilon(1e-4));

  const DatasetSplits s5 = load_fashion_mnist({fx.dir.path.string(), 5});
  CHECK(s5.train.size() == 15);
  CHECK(s5.validation.size() == 5);
  CHECK(message_of<UsageError>([&] { load_fashion_mnist({fx.dir.path.string(), 20}); }).find("data.validation") == 0);
}

TEST_CASE("IDX errors name the file and what is wrong", "[datasets]") {
  SECTION("wrong magic number") {
    SmallFashion fx;
    const std::string p = fx.path("train-labels-idx1-ubyte.gz");
    write_gz(p, idx_bytes(2051, {20}, fx.train_lb));
    const std::string m = message_of([&] { read_idx_labels(p); });
    CHECK(contains(m, p));
    CHECK(contains(m, "bad magic number 2051, expected 2049"));
    CHECK(contains(message_of([&] { validate_fashion_mnist({fx.dir.path.string(), std::nullopt}); }), p));
    CHECK(contains(message_of([&] { load_fashion_mnist({fx.dir.path.string(), std::nullopt}); }), p));
  }
  SECTION("truncated pixel data") {
    SmallFashion fx;
    const std::string p = fx.path("train-images-idx3-ubyte.gz");
    auto bytes = idx_bytes(kIdxImagesMagic, {20, 2, 3}, fx.train_px);
    bytes.resize(16 + 100);
    write_gz(p, bytes);
    const std::string m = message_of([&] { read_idx_images(p); });
    CHECK(contains(m, p + ": truncated: expected 136 bytes"));
    CHECK(contains(m, "got 116"));
    CHECK(contains(message_of([&] { validate_fashion_mnist({fx.dir.path.string(), std::nullopt}); }),
                   p + ": truncated"));
  }
  SECTION("truncated header, uncompressed") {
    SmallFashion fx(false);
    const std::string p = fx.path("t10k-labels-idx1-ubyte");
    write_plain(p, {0, 0, 8, 1, 0});
    CHECK(contains(message_of([&] { read_idx_labels(p); }), p + ": truncated: expected a 8-byte IDX header, got 5"));
  }
  SECTION("truncated gzip stream") {
    SmallFashion fx;
    const std::string p = fx.path("t10k-images-idx3-ubyte.gz");
    const auto size = fs::file_size(p);
    fs::resize_file(p, size - 12);  // cut into the deflate data and the trailer
    CHECK(contains(message_of([&] { read_idx_images(p); }), p + ": truncated: expected 46 bytes"));
  }
  SECTION("corrupt gzip data") {
    SmallFashion fx;
    const std::string p = fx.path("t10k-images-idx3-ubyte.gz");
    std::vector<char> bytes(fs::file_size(p));
    std::ifstream(p, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes[bytes.size() - 6] ^= 0x5a;  // inside the CRC-32 of the gzip trailer
    std::ofstream(p, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    CHECK(contains(message_of([&] { check_idx_file(p, kIdxImagesMagic); }), p + ": unreadable or corrupt gzip data"));
  }
  SECTION("trailing data") {
    SmallFashion fx;
    const std::string p = fx.path("t10k-labels-idx1-ubyte.gz");
    auto lb = fx.test_lb;
    lb.push_back(3);
    write_gz(p, idx_bytes(kIdxLabelsMagic, {5}, lb));
    CHECK(contains(message_of([&] { read_idx_labels(p); }), p + ": trailing data"));
  }
  SECTION("image and label counts disagree") {
    SmallFashion fx;
    const std::string p = fx.path("t10k-labels-idx1-ubyte.gz");
    write_gz(p, idx_bytes(kIdxLabelsMagic, {4}, ramp(4, 1, 0, 10)));
    for (const std::string& m : {message_of([&] { validate_fashion_mnist({fx.dir.path.string(), std::nullopt}); }),
                                 message_of([&] { load_fashion_mnist({fx.dir.path.string(), std::nullopt}); })}) {
      CHECK(contains(m, "5 images"));
      CHECK(contains(m, p + " has 4 labels"));
    }
  }
  SECTION("label out of range") {
    SmallFashion fx;
    const std::string p = fx.path("train-labels-idx1-ubyte.gz");
    auto lb = fx.train_lb;
    lb[7] = 10;
    write_gz(p, idx_bytes(kIdxLabelsMagic, {20}, lb));
    const std::string m = message_of([&] { validate_fashion_mnist({fx.dir.path.string(), std::nullopt}); });
    CHECK(contains(m, p + ": label 10 of example 7 is out of range"));
  }
  SECTION("test images of another size") {
    SmallFashion fx;
    const std::string p = fx.path("t10k-images-idx3-ubyte.gz");
    write_gz(p, idx_bytes(kIdxImagesMagic, {5, 3, 2}, fx.test_px));
    CHECK(contains(message_of([&] { load_fashion_mnist({fx.dir.path.string(), std::nullopt}); }),
                   p + ": images are 3 x 2"));
  }
  SECTION("missing file and missing directory") {
    SmallFashion fx;
    fs::remove(fx.path("t10k-images-idx3-ubyte.gz"));
    const std::string m = message_of([&] { validate_fashion_mnist({fx.dir.path.string(), std::nullopt}); });
    CHECK(contains(m, fx.path("t10k-images-idx3-ubyte.gz") + ": missing"));
    const std::string missing_dir = fx.dir / "nowhere";
    CHECK(contains(message_of([&] { load_fashion_mnist({missing_dir, std::nullopt}); }), missing_dir));
    CHECK(contains(message_of([&] { read_idx_images(missing_dir); }), missing_dir + ": cannot open"));
  }
}

TEST_CASE("Debian's Fashion-MNIST loads", "[datasets]") {
  if (!fs::exists(kFashionMnistDefaultDir))
    SKIP(std::string(kFashionMnistDefaultDir) + " is absent (Debian package fashion-mnist not installed)");
  const ConfigSchema schema = data_schema();
  const Config config = Config::resolve(schema, std::nullopt, {{"data.name", "fashion-mnist"}});
  REQUIRE_NOTHROW(validate_dataset(config));
  const DatasetSplits s = load_dataset(config);
  CHECK(s.train.size() + s.validation.size() == 60000);
  CHECK(s.validation.size() == 6000);
  CHECK(s.test.size() == 10000);
  CHECK(s.train.dim() == 784);
  CHECK(s.test.dim() == 784);
  for (const Dataset* d : {&s.train, &s.validation, &s.test}) {
    CHECK(d->num_classes == 10);
    std::set<int> seen(d->labels.begin(), d->labels.end());
    CHECK(seen == std::set<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  }
  CHECK(s.validation.ids.front() == 54000);
  CHECK(s.test.ids.front() == 60000);
  CHECK(s.test.ids.back() == 69999);
  double sum = 0;
  float lo = 1e9f, hi = -1e9f;
  for (std::size_t i = 0; i < s.train.size(); i += 97)
    for (std::size_t j = 0; j < 784; ++j) {
      sum += s.train.features(i, j);
      lo = std::min(lo, s.train.features(i, j));
      hi = std::max(hi, s.train.features(i, j));
    }
  CHECK(std::abs(sum / (((s.train.size() + 96) / 97) * 784.0)) < 0.05);
  CHECK(lo == Catch::Approx(-0.286 / 0.353).epsilon(0.02));  // a zero pixel
  CHECK(hi == Catch::Approx((1 - 0.286) / 0.353).epsilon(0.02));  // a 255 pixel
}

// ============================================================== Gaussian mixture

TEST_CASE("Gaussian mixture: deterministic, consistent clusters and classes", "[datasets]") {
  GaussianMixtureSpec spec;
  spec.examples = 500;
  spec.dim = 6;
  spec.clusters = 6;
  spec.classes = 3;
  spec.seed = 42;
  const Dataset a = generate_gaussian_mixture(spec);
  const Dataset b = generate_gaussian_mixture(spec);
  REQUIRE(a.size() == 500);
  REQUIRE(a.dim() == 6);
  CHECK(a.num_classes == 3);
  CHECK(a.num_clusters == 6);
  bool same = true;
  for (std::size_t i = 0; i < 500; ++i)
    for (std::size_t j = 0; j < 6; ++j) same = same && a.features(i, j) == b.features(i, j);
  CHECK(same);
  CHECK(a.clusters == b.clusters);
  std::vector<int> count(6, 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a.clusters[i] >= 0);
    REQUIRE(a.clusters[i] < 6);
    CHECK(a.labels[i] == a.clusters[i] % 3);
    CHECK(a.ids[i] == i);
    ++count[a.clusters[i]];
  }
  for (int c : count) CHECK(c > 50);  // uniform: ~83 each

  // The documented construction, recomputed element by element.
  const std::vector<double> mu = gaussian_mixture_means(spec);
  const PhiloxKey key{42, streams::kData};
  for (std::size_t i : {std::size_t{0}, std::size_t{17}, std::size_t{499}}) {
    CHECK(a.clusters[i] == static_cast<int>(Philox::below(key, (std::uint64_t{2} << 56) | i, 6)));
    for (std::size_t j = 0; j < 6; ++j) {
      const double e = mu[a.clusters[i] * 6 + j] + Philox::normal(key, (std::uint64_t{3} << 56) | (i * 6 + j));
      CHECK(a.features(i, j) == static_cast<float>(e));
    }
  }
  // Every class's cluster means are centred; RMS norm = separation.
  double sq = 0;
  for (int cls = 0; cls < 3; ++cls)
    for (int j = 0; j < 6; ++j) CHECK(mu[cls * 6 + j] + mu[(cls + 3) * 6 + j] == Catch::Approx(0.0).margin(1e-12));
  for (double v : mu) sq += v * v;
  CHECK(std::sqrt(sq / 6) == Catch::Approx(3.0));

  spec.seed = 43;
  const Dataset c = generate_gaussian_mixture(spec);
  CHECK((c.clusters != a.clusters || c.features(0, 0) != a.features(0, 0)));

  GaussianMixtureSpec bad = spec;
  bad.classes = 7;
  CHECK(message_of<UsageError>([&] { generate_gaussian_mixture(bad); }).find("data.classes") == 0);
}

TEST_CASE("Gaussian mixture: default split sizes through the config", "[datasets]") {
  const ConfigSchema schema = data_schema();
  const Config config = Config::resolve(schema, std::nullopt, {});
  CHECK(config.get("data.name") == "gaussian-mixture");
  REQUIRE_NOTHROW(validate_dataset(config));
  const DatasetSplits s = load_dataset(config);
  CHECK(s.test.size() == 2400);       // last 20% of 12000
  CHECK(s.validation.size() == 960);  // 10% of the remaining 9600
  CHECK(s.train.size() == 8640);
  CHECK(s.train.dim() == 32);
  CHECK(s.train.num_clusters == 8);
  CHECK(s.test.num_classes == 4);
  CHECK(s.train.clusters.size() == 8640);
  CHECK(s.validation.ids.front() == 8640);
  CHECK(s.test.ids.front() == 9600);
  CHECK(s.test.ids.back() == 11999);

  const Config c2 = Config::resolve(schema, std::nullopt,
                                    {{"data.examples", "1000"}, {"data.test_fraction", "0.25"},
                                     {"data.validation", "50"}, {"data.dim", "4"}, {"data.seed", "3"}});
  const DatasetSplits s2 = load_dataset(c2);
  CHECK(s2.test.size() == 250);
  CHECK(s2.validation.size() == 50);
  CHECK(s2.train.size() == 700);
  CHECK(s2.train.dim() == 4);

  const Config too_many = Config::resolve(schema, std::nullopt, {{"data.examples", "100"}, {"data.validation", "80"}});
  CHECK(message_of<UsageError>([&] { validate_dataset(too_many); }).find("data.validation") == 0);
  const Config bad_classes = Config::resolve(schema, std::nullopt, {{"data.classes", "9"}});
  CHECK(message_of<UsageError>([&] { validate_dataset(bad_classes); }).find("data.classes") == 0);
  CHECK_THROWS_AS(Config::resolve(schema, std::nullopt, {{"data.test_fraction", "1"}}), UsageError);
  CHECK_THROWS_AS(Config::resolve(schema, std::nullopt, {{"data.name", "mnist"}}), UsageError);
}

// Solves A x = b (n x n, dense, partial pivoting).
static std::vector<double> solve(std::vector<double> a, std::vector<double> b, std::size_t n, std::size_t m) {
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t p = k;
    for (std::size_t i = k + 1; i < n; ++i)
      if (std::abs(a[i * n + k]) > std::abs(a[p * n + k])) p = i;
    for (std::size_t j = 0; j < n; ++j) std::swap(a[k * n + j], a[p * n + j]);
    for (std::size_t j = 0; j < m; ++j) std::swap(b[k * m + j], b[p * m + j]);
    for (std::size_t i = k + 1; i < n; ++i) {
      const double f = a[i * n + k] / a[k * n + k];
      for (std::size_t j = k; j < n; ++j) a[i * n + j] -= f * a[k * n + j];
      for (std::size_t j = 0; j < m; ++j) b[i * m + j] -= f * b[k * m + j];
    }
  }
  for (std::size_t k = n; k-- > 0;)
    for (std::size_t j = 0; j < m; ++j) {
      double s = b[k * m + j];
      for (std::size_t i = k + 1; i < n; ++i) s -= a[k * n + i] * b[i * m + j];
      b[k * m + j] = s / a[k * n + k];
    }
  return b;
}

TEST_CASE("Gaussian mixture: separability of the default problem", "[datasets]") {
  const ConfigSchema schema = data_schema();
  const Config config = Config::resolve(schema, std::nullopt, {});
  const DatasetSplits s = load_dataset(config);
  const std::vector<double> mu = gaussian_mixture_means(GaussianMixtureSpec{});
  const std::size_t d = 32, k = 8, C = 4, n = s.train.size(), nt = s.test.size();
  // Class of the nearest true cluster mean (= Bayes with equal noise and priors).
  std::size_t nearest_ok = 0;
  for (std::size_t i = 0; i < nt; ++i) {
    double best = 1e300;
    std::size_t arg = 0;
    for (std::size_t c = 0; c < k; ++c) {
      double dist = 0;
      for (std::size_t j = 0; j < d; ++j) dist += std::pow(s.test.features(i, j) - mu[c * d + j], 2);
      if (dist < best) best = dist, arg = c;
    }
    nearest_ok += static_cast<int>(arg % C) == s.test.labels[i];
  }
  const double nearest = static_cast<double>(nearest_ok) / nt;
  // Least-squares linear classifier on one-hot targets (with bias).
  const std::size_t p = d + 1;
  std::vector<double> ata(p * p, 0.0), aty(p * C, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double row[33];
    for (std::size_t j = 0; j < d; ++j) row[j] = s.train.features(i, j);
    row[d] = 1.0;
    for (std::size_t a = 0; a < p; ++a) {
      for (std::size_t b = 0; b < p; ++b) ata[a * p + b] += row[a] * row[b];
      aty[a * C + s.train.labels[i]] += row[a];
    }
  }
  const std::vector<double> w = solve(ata, aty, p, C);
  std::size_t linear_ok = 0;
  for (std::size_t i = 0; i < nt; ++i) {
    double best = -1e300;
    int arg = 0;
    for (std::size_t c = 0; c < C; ++c) {
      double z = w[d * C + c];
      for (std::size_t j = 0; j < d; ++j) z += s.test.features(i, j) * w[j * C + c];
      if (z > best) best = z, arg = static_cast<int>(c);
    }
    linear_ok += arg == s.test.labels[i];
  }
  const double linear = static_cast<double>(linear_ok) / nt;
  INFO("nearest-mean accuracy " << nearest << ", linear accuracy " << linear);
  CHECK(nearest == Catch::Approx(0.919).margin(0.005));  // documented in gaussian_mixture.hpp
  CHECK(linear < 0.35);                                  // chance is 0.25
}
