#include "models/spiking/surrogate_lif.hpp"

#include "core/tensor.hpp"

namespace moesim::spiking {

double surrogate_lif_forward(const SurrogateLifParams& p, const float* current, std::size_t nh,
                             int steps, float* membrane, float* spikes) {
  const std::size_t T = std::size_t(steps);
  const double beta = p.beta, theta = p.threshold, k = p.slope;
  const bool smooth = p.smooth;
  Kokkos::parallel_for("surrogate_lif_forward", Kokkos::RangePolicy<HostExec>(0, nh), [=](std::size_t j) {
    double v = 0.0;
    for (std::size_t t = 0; t < T; ++t) {
      const double u = beta * v + double(current[t * nh + j]);
      const double s = smooth ? smooth_spike(u - theta, k) : (u >= theta ? 1.0 : 0.0);
      membrane[t * nh + j] = float(u);
      spikes[t * nh + j] = float(s);
      v = u - theta * s;
    }
  });
  // The count, summed in a fixed order (serial): thread-count independent.
  double total = 0.0;
  for (std::size_t i = 0; i < T * nh; ++i) total += spikes[i];
  return total;
}

void surrogate_lif_backward(const SurrogateLifParams& p, const float* membrane,
                            const float* d_spikes, std::size_t nh, int steps, float* d_current) {
  const std::size_t T = std::size_t(steps);
  const double beta = p.beta, theta = p.threshold, k = p.slope;
  Kokkos::parallel_for("surrogate_lif_backward", Kokkos::RangePolicy<HostExec>(0, nh), [=](std::size_t j) {
    double a_next = 0.0;  // dL/du_{t+1}
    for (std::size_t t = T; t-- > 0;) {
      const double g = fast_sigmoid_grad(double(membrane[t * nh + j]) - theta, k);
      const double dv = beta * a_next;
      const double a = dv * (1.0 - theta * g) + double(d_spikes[t * nh + j]) * g;
      d_current[t * nh + j] = float(a);
      a_next = a;
    }
  });
}

}  // namespace moesim::spiking
