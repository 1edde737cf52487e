// IDX files (LeCun's MNIST format, also used by Fashion-MNIST), plain or
// gzip-compressed, and the Fashion-MNIST loader built on them.
//
// IDX layout (big-endian): a 32-bit magic number 0x00 0x00 <type> <rank>
// (2051 = unsigned bytes, rank 3, for images; 2049 = unsigned bytes, rank 1,
// for labels), then one 32-bit size per dimension, then the data. Every
// reader here checks the magic number, the dimensions and the exact byte
// count (a short file is "truncated", extra bytes are "trailing data"), and
// throws DataError naming the file and what is wrong.
#pragma once
#include "datasets/dataset.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace moesim {

inline constexpr std::uint32_t kIdxImagesMagic = 2051;  // 0x00000803
inline constexpr std::uint32_t kIdxLabelsMagic = 2049;  // 0x00000801

struct IdxHeader {
  std::string path;
  std::uint32_t magic = 0;
  std::vector<std::uint32_t> dims;  // images: count, rows, cols; labels: count
  std::size_t payload_bytes() const;  // product of dims
};

struct IdxImages {
  std::string path;
  std::uint32_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // [count, rows * cols], row-major
};

struct IdxLabels {
  std::string path;
  std::uint32_t count = 0;
  std::vector<std::uint8_t> labels;  // [count]
};

// `dir/name.gz` if it exists, else `dir/name` (uncompressed); DataError naming
// both candidates if neither exists.
std::string find_idx_file(const std::string& dir, const std::string& name);

// Reads and checks only the header (magic number must equal `magic`).
IdxHeader read_idx_header(const std::string& path, std::uint32_t magic);
// Header checks plus the exact byte count of the payload, streamed without
// keeping it (cheap on memory; decompresses the whole file).
IdxHeader check_idx_file(const std::string& path, std::uint32_t magic);

IdxImages read_idx_images(const std::string& path);
// Labels must be < num_classes.
IdxLabels read_idx_labels(const std::string& path, int num_classes = 10);

// ---- Fashion-MNIST ----------------------------------------------------------

inline constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";
inline constexpr int kFashionMnistClasses = 10;

struct FashionMnistSpec {
  std::string dir = kFashionMnistDefaultDir;
  // Examples held out of the end of the training files for validation;
  // nullopt = 10% of the training files (6000 of 60000).
  std::optional<std::int64_t> validation;
};

// Checks the four files: present, readable, magic numbers, image sizes, image
// and label counts agree, exact byte counts, labels < 10. Throws DataError.
void validate_fashion_mnist(const FashionMnistSpec& spec);

// Train = the first (60000 - V) examples of the train-* files, validation =
// their last V, test = the t10k-* files. Normalisation: pixels are scaled to
// [0, 1] (p / 255), then standardised with ONE global mean and standard
// deviation computed over all pixels of the training split (not validation,
// not test): x = (p / 255 - mean) / std. (For the real data, mean ≈ 0.286,
// std ≈ 0.353.) ids: the index in the train files for train and validation,
// 60000 + index in the t10k files for test (offset = the train files' count).
DatasetSplits load_fashion_mnist(const FashionMnistSpec& spec);

}  // namespace moesim
