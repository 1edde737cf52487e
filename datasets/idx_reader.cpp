#include "datasets/idx_reader.hpp"

#include "core/error.hpp"
#include "datasets/splits.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <sys/stat.h>

namespace moesim {

namespace {

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// gzip reader (zlib reads uncompressed files transparently). Every failure is
// a DataError naming the file.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
      throw DataError(path + ": cannot open: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw DataError(path + ": is a directory, expected an IDX file");
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (!file_)
      throw DataError(path + ": cannot open: " +
                      (errno ? std::strerror(errno) : "out of memory in zlib"));
    gzbuffer(file_, 1u << 17);
  }
  ~GzReader() {
    if (file_) gzclose(file_);
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // gzerror's message, without the "path: " prefix zlib puts in front.
  std::string zlib_message(const char* msg) const {
    std::string m = msg ? msg : "unknown error";
    if (m.rfind(path_ + ": ", 0) == 0) m.erase(0, path_.size() + 2);
    return m;
  }

  // Reads up to n bytes into dst (dst may be null: skip). Returns the count
  // read; fewer than n only at the end of the data. Corrupt data throws.
  std::size_t read(unsigned char* dst, std::size_t n) {
    std::size_t total = 0;
    unsigned char scratch[1 << 16];
    while (total < n) {
      const std::size_t want = std::min<std::size_t>(n - total, dst ? (1u << 30) : sizeof scratch);
      const int got = gzread(file_, dst ? dst + total : scratch, static_cast<unsigned>(want));
      if (got < 0) {
        int code = 0;
        const char* msg = gzerror(file_, &code);
        if (code == Z_BUF_ERROR) return total;  // compressed stream ends early: truncated
        throw DataError(path_ + ": unreadable or corrupt gzip data: " + zlib_message(msg));
      }
      if (got == 0) {
        int code = 0;
        const char* msg = gzerror(file_, &code);
        if (code != Z_OK && code != Z_BUF_ERROR)
          throw DataError(path_ + ": unreadable or corrupt gzip data: " + zlib_message(msg));
        return total;
      }
      total += static_cast<std::size_t>(got);
    }
    return total;
  }

  // True if any byte remains.
  bool more() {
    unsigned char c;
    return read(&c, 1) == 1;
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

std::uint32_t big_endian(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

std::string dims_text(const std::vector<std::uint32_t>& dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? " x " : "") + std::to_string(dims[i]);
  return s;
}

const char* kind_of(std::uint32_t magic) {
  return magic == kIdxImagesMagic ? "images" : "labels";
}

IdxHeader read_header(GzReader& in, const std::string& path, std::uint32_t magic) {
  if (magic != kIdxImagesMagic && magic != kIdxLabelsMagic)
    throw DataError(path + ": internal: unsupported IDX magic " + std::to_string(magic));
  const int rank = magic == kIdxImagesMagic ? 3 : 1;
  const std::size_t header_bytes = 4 + 4 * static_cast<std::size_t>(rank);
  unsigned char buf[16];
  const std::size_t got = in.read(buf, header_bytes);
  if (got < 4)
    throw DataError(path + ": truncated: expected a " + std::to_string(header_bytes) +
                    "-byte IDX header, got " + std::to_string(got) + " bytes");
  IdxHeader h;
  h.path = path;
  h.magic = big_endian(buf);
  if (h.magic != magic)
    throw DataError(path + ": bad magic number " + std::to_string(h.magic) + ", expected " +
                    std::to_string(magic) + " (IDX " + kind_of(magic) + " file of unsigned bytes, rank " +
                    std::to_string(rank) + ")");
  if (got < header_bytes)
    throw DataError(path + ": truncated: expected a " + std::to_string(header_bytes) +
                    "-byte IDX header, got " + std::to_string(got) + " bytes");
  for (int i = 0; i < rank; ++i) h.dims.push_back(big_endian(buf + 4 + 4 * i));
  if (h.dims[0] == 0) throw DataError(path + ": header says 0 " + kind_of(magic));
  if (rank == 3 && (h.dims[1] == 0 || h.dims[2] == 0))
    throw DataError(path + ": bad image size " + std::to_string(h.dims[1]) + " x " +
                    std::to_string(h.dims[2]) + " in the header");
  return h;
}

// Reads (dst != null) or skips the payload, checking the exact byte count.
void read_payload(GzReader& in, const IdxHeader& h, unsigned char* dst) {
  const std::size_t header_bytes = 4 + 4 * h.dims.size();
  const std::size_t want = h.payload_bytes();
  const std::size_t got = in.read(dst, want);
  const char* what = h.magic == kIdxImagesMagic ? "pixel" : "label";
  if (got < want)
    throw DataError(h.path + ": truncated: expected " + std::to_string(header_bytes + want) +
                    " bytes (" + std::to_string(header_bytes) + "-byte header + " + dims_text(h.dims) +
                    " " + what + " bytes), got " + std::to_string(header_bytes + got));
  if (in.more())
    throw DataError(h.path + ": trailing data after the " + std::to_string(header_bytes + want) +
                    " bytes that the header (" + dims_text(h.dims) + ") accounts for");
}

void check_labels(const IdxLabels& l, int num_classes) {
  for (std::size_t i = 0; i < l.labels.size(); ++i)
    if (l.labels[i] >= num_classes)
      throw DataError(l.path + ": label " + std::to_string(l.labels[i]) + " of example " +
                      std::to_string(i) + " is out of range (expected 0.." +
                      std::to_string(num_classes - 1) + ")");
}

struct FashionFiles {
  std::string train_images, train_labels, test_images, test_labels;
};

FashionFiles fashion_files(const FashionMnistSpec& spec) {
  struct stat st {};
  if (::stat(spec.dir.c_str(), &st) != 0)
    throw DataError(spec.dir + ": Fashion-MNIST directory (data.path) not found: " +
                    std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    throw DataError(spec.dir + ": data.path must be a directory with the four Fashion-MNIST "
                               "*-ubyte.gz files for data.name = fashion-mnist");
  return {find_idx_file(spec.dir, "train-images-idx3-ubyte"),
          find_idx_file(spec.dir, "train-labels-idx1-ubyte"),
          find_idx_file(spec.dir, "t10k-images-idx3-ubyte"),
          find_idx_file(spec.dir, "t10k-labels-idx1-ubyte")};
}

void check_pair(const IdxHeader& images, const IdxHeader& labels) {
  if (images.dims[0] != labels.dims[0])
    throw DataError(images.path + ": " + std::to_string(images.dims[0]) + " images but " +
                    labels.path + " has " + std::to_string(labels.dims[0]) + " labels");
}

void check_same_image_size(const IdxHeader& train, const IdxHeader& test) {
  if (train.dims[1] != test.dims[1] || train.dims[2] != test.dims[2])
    throw DataError(test.path + ": images are " + std::to_string(test.dims[1]) + " x " +
                    std::to_string(test.dims[2]) + " but " + train.path + " has " +
                    std::to_string(train.dims[1]) + " x " + std::to_string(train.dims[2]));
}

// Copies examples [begin, end) of the IDX arrays into a Dataset, standardised.
Dataset make_split(const IdxImages& images, const IdxLabels& labels, std::size_t begin,
                   std::size_t end, std::uint64_t id_offset, float mean, float inv_std) {
  const std::size_t n = end - begin, d = std::size_t{images.rows} * images.cols;
  Dataset out;
  out.name = "fashion-mnist";
  out.num_classes = kFashionMnistClasses;
  out.features = make_matrix("fashion-mnist", n, d);
  out.labels.resize(n);
  out.ids.resize(n);
  auto f = out.features;
  const std::uint8_t* px = images.pixels.data();
  Kokkos::parallel_for(
      "fashion_mnist_standardise", Kokkos::RangePolicy<HostExec>(0, n), [=](const std::size_t i) {
        const std::uint8_t* row = px + (begin + i) * d;
        for (std::size_t j = 0; j < d; ++j)
          f(i, j) = (static_cast<float>(row[j]) / 255.0f - mean) * inv_std;
      });
  Kokkos::fence();
  for (std::size_t i = 0; i < n; ++i) {
    out.labels[i] = labels.labels[begin + i];
    out.ids[i] = id_offset + begin + i;
  }
  return out;
}

}  // namespace

std::size_t IdxHeader::payload_bytes() const {
  std::size_t n = 1;
  for (auto v : dims) n *= v;
  return n;
}

std::string find_idx_file(const std::string& dir, const std::string& name) {
  const std::string base = dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
  if (is_regular_file(base + ".gz")) return base + ".gz";
  if (is_regular_file(base)) return base;
  throw DataError(base + ".gz: missing (nor is there an uncompressed " + base + ")");
}

IdxHeader read_idx_header(const std::string& path, std::uint32_t magic) {
  GzReader in(path);
  return read_header(in, path, magic);
}

IdxHeader check_idx_file(const std::string& path, std::uint32_t magic) {
  GzReader in(path);
  IdxHeader h = read_header(in, path, magic);
  read_payload(in, h, nullptr);
  return h;
}

IdxImages read_idx_images(const std::string& path) {
  GzReader in(path);
  const IdxHeader h = read_header(in, path, kIdxImagesMagic);
  IdxImages out;
  out.path = path;
  out.count = h.dims[0];
  out.rows = h.dims[1];
  out.cols = h.dims[2];
  out.pixels.resize(h.payload_bytes());
  read_payload(in, h, out.pixels.data());
  return out;
}

IdxLabels read_idx_labels(const std::string& path, int num_classes) {
  GzReader in(path);
  const IdxHeader h = read_header(in, path, kIdxLabelsMagic);
  IdxLabels out;
  out.path = path;
  out.count = h.dims[0];
  out.labels.resize(h.payload_bytes());
  read_payload(in, h, out.labels.data());
  check_labels(out, num_classes);
  return out;
}

void validate_fashion_mnist(const FashionMnistSpec& spec) {
  const FashionFiles files = fashion_files(spec);
  const IdxHeader train_images = read_idx_header(files.train_images, kIdxImagesMagic);
  const IdxHeader train_labels = read_idx_header(files.train_labels, kIdxLabelsMagic);
  const IdxHeader test_images = read_idx_header(files.test_images, kIdxImagesMagic);
  const IdxHeader test_labels = read_idx_header(files.test_labels, kIdxLabelsMagic);
  check_pair(train_images, train_labels);
  check_pair(test_images, test_labels);
  check_same_image_size(train_images, test_images);
  validation_count(spec.validation, train_images.dims[0], "the training files");
  // Exact byte counts (streams through the images without keeping them) and
  // label ranges (the label files are small).
  check_idx_file(files.train_images, kIdxImagesMagic);
  check_idx_file(files.test_images, kIdxImagesMagic);
  read_idx_labels(files.train_labels, kFashionMnistClasses);
  read_idx_labels(files.test_labels, kFashionMnistClasses);
}

DatasetSplits load_fashion_mnist(const FashionMnistSpec& spec) {
  const FashionFiles files = fashion_files(spec);
  // Headers first, so that a count mismatch is reported before the big reads.
  check_pair(read_idx_header(files.train_images, kIdxImagesMagic),
             read_idx_header(files.train_labels, kIdxLabelsMagic));
  check_pair(read_idx_header(files.test_images, kIdxImagesMagic),
             read_idx_header(files.test_labels, kIdxLabelsMagic));
  const IdxLabels train_labels = read_idx_labels(files.train_labels, kFashionMnistClasses);
  const IdxLabels test_labels = read_idx_labels(files.test_labels, kFashionMnistClasses);
  const IdxImages train_images = read_idx_images(files.train_images);
  const IdxImages test_images = read_idx_images(files.test_images);
  check_same_image_size(read_idx_header(files.train_images, kIdxImagesMagic),
                        read_idx_header(files.test_images, kIdxImagesMagic));

  const std::size_t n_file = train_images.count;
  const std::size_t n_val = validation_count(spec.validation, n_file, "the training files");
  const std::size_t n_train = n_file - n_val;
  const std::size_t d = std::size_t{train_images.rows} * train_images.cols;

  // Global mean and standard deviation of p / 255 over the training split,
  // from an exact integer histogram (no summation-order dependence).
  std::uint64_t hist[256] = {};
  for (std::size_t k = 0; k < n_train * d; ++k) ++hist[train_images.pixels[k]];
  double sum = 0.0, sum_sq = 0.0;
  for (int v = 0; v < 256; ++v) {
    const double x = v / 255.0;
    sum += static_cast<double>(hist[v]) * x;
    sum_sq += static_cast<double>(hist[v]) * x * x;
  }
  const double count = static_cast<double>(n_train * d);
  const double mean = sum / count;
  const double var = std::max(0.0, sum_sq / count - mean * mean);
  const double stddev = var > 0.0 ? std::sqrt(var) : 1.0;  // constant images: only centre
  const float m = static_cast<float>(mean), inv = static_cast<float>(1.0 / stddev);

  DatasetSplits s;
  s.train = make_split(train_images, train_labels, 0, n_train, 0, m, inv);
  s.validation = make_split(train_images, train_labels, n_train, n_file, 0, m, inv);
  s.test = make_split(test_images, test_labels, 0, test_images.count, n_file, m, inv);
  return s;
}

}  // namespace moesim
