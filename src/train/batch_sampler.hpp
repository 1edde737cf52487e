// Mini-batch order: a fresh Philox-driven permutation of the training set
// every epoch (Fisher-Yates), so the order depends only on the seed.
#pragma once
#include <cstdint>
#include <vector>

namespace moesim {

class BatchSampler {
 public:
  BatchSampler(std::size_t examples, std::size_t batch_size, std::uint64_t seed);
  // Indices of the next batch (always batch_size of them; wraps into the next epoch).
  const std::vector<std::size_t>& next();

 private:
  void shuffle();
  std::size_t n_, batch_;
  std::uint64_t seed_, epoch_ = 0;
  std::vector<std::size_t> perm_, batch_idx_;
  std::size_t pos_ = 0;
};

}  // namespace moesim
