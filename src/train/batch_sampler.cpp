#include "train/batch_sampler.hpp"

#include "core/philox.hpp"

#include <numeric>
#include <utility>

namespace moesim {

BatchSampler::BatchSampler(std::size_t examples, std::size_t batch_size, std::uint64_t seed)
    : n_(examples), batch_(batch_size), seed_(seed), perm_(examples), batch_idx_(batch_size) {
  std::iota(perm_.begin(), perm_.end(), std::size_t{0});
  shuffle();
}

void BatchSampler::shuffle() {
  const PhiloxKey key{seed_, streams::kBatch};
  for (std::size_t i = n_; i > 1; --i) {
    const std::size_t j = Philox::below(key, epoch_ * n_ + i, i);
    std::swap(perm_[i - 1], perm_[j]);
  }
  ++epoch_;
  pos_ = 0;
}

const std::vector<std::size_t>& BatchSampler::next() {
  for (std::size_t b = 0; b < batch_; ++b) {
    if (pos_ == n_) shuffle();
    batch_idx_[b] = perm_[pos_++];
  }
  return batch_idx_;
}

}  // namespace moesim
