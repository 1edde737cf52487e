#include "model/cross_entropy.hpp"

#include <cmath>
#include <utility>

namespace moesim {

CrossEntropyResult cross_entropy(const HostMatrix& logits, const std::vector<int>& labels,
                                 HostMatrix* d_logits) {
  const std::size_t rows = logits.extent(0), classes = logits.extent(1);
  std::vector<double> row_loss(rows);
  CrossEntropyResult r;
  r.predicted.assign(rows, 0);
  double* rl = row_loss.data();
  int* pred = r.predicted.data();
  const int* lab = labels.data();
  auto lv = logits;
  HostMatrix dl = d_logits ? *d_logits : HostMatrix();
  const bool want_grad = d_logits != nullptr;
  const double inv_rows = 1.0 / double(rows);
  Kokkos::parallel_for("cross_entropy", Kokkos::RangePolicy<HostExec>(0, rows), [=](std::size_t i) {
    float m = lv(i, 0);
    int arg = 0;
    for (std::size_t c = 1; c < classes; ++c)
      if (lv(i, c) > m) { m = lv(i, c); arg = int(c); }
    double sum = 0.0;
    for (std::size_t c = 0; c < classes; ++c) sum += std::exp(double(lv(i, c)) - m);
    const double log_z = m + std::log(sum);
    rl[i] = log_z - lv(i, lab[i]);
    pred[i] = arg;
    if (want_grad)
      for (std::size_t c = 0; c < classes; ++c) {
        const double p = std::exp(double(lv(i, c)) - log_z);
        dl(i, c) = static_cast<float>((p - (int(c) == lab[i] ? 1.0 : 0.0)) * inv_rows);
      }
  });
  // Serial sum in row order: deterministic.
  for (std::size_t i = 0; i < rows; ++i) {
    r.loss += row_loss[i];
    r.correct += r.predicted[i] == labels[i];
  }
  r.loss *= inv_rows;
  r.row_loss = std::move(row_loss);
  return r;
}

}  // namespace moesim
