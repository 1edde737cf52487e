// Softmax cross-entropy over class logits, mean over the batch.
#pragma once
#include "core/tensor.hpp"

#include <vector>

namespace moesim {

struct CrossEntropyResult {
  double loss = 0.0;      // mean over rows
  int correct = 0;        // argmax == label
  std::vector<int> predicted;
  std::vector<double> row_loss;  // [rows] per-row loss (nats): log Σ exp(logits) − logit[label]
};

// Computes the loss and, if d_logits is non-null, dL/dlogits (softmax − onehot) / rows.
CrossEntropyResult cross_entropy(const HostMatrix& logits, const std::vector<int>& labels,
                                 HostMatrix* d_logits);

}  // namespace moesim
