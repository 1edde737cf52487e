// Counter-based random numbers (Philox4x32-10, Salmon et al., SC 2011).
// A draw is a pure function of (seed, stream, counter), so every parallel
// loop gets the same numbers whatever the thread count (DESIGN.md §5).
// Streams name the consumer (initialisation, noise, sampling, data, ...);
// counters index the draw inside it (e.g. step * tokens + token).
#pragma once
#include <cmath>
#include <cstdint>

namespace moesim {

struct PhiloxKey {
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;
};

class Philox {
 public:
  using Block = std::uint32_t[4];

  // Four 32-bit words for counter `counter` under key (seed, stream).
  static void generate(PhiloxKey key, std::uint64_t counter, std::uint32_t out[4]) {
    std::uint32_t c[4] = {static_cast<std::uint32_t>(counter),
                          static_cast<std::uint32_t>(counter >> 32),
                          static_cast<std::uint32_t>(key.stream),
                          static_cast<std::uint32_t>(key.stream >> 32)};
    std::uint32_t k[2] = {static_cast<std::uint32_t>(key.seed),
                          static_cast<std::uint32_t>(key.seed >> 32)};
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c[0];
      const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c[2];
      const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0];
      const std::uint32_t n1 = static_cast<std::uint32_t>(p1);
      const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1];
      const std::uint32_t n3 = static_cast<std::uint32_t>(p0);
      c[0] = n0; c[1] = n1; c[2] = n2; c[3] = n3;
      k[0] += 0x9E3779B9u;
      k[1] += 0xBB67AE85u;
    }
    for (int i = 0; i < 4; ++i) out[i] = c[i];
  }

  // Uniform in [0, 1) with 53 random bits.
  static double uniform(PhiloxKey key, std::uint64_t counter) {
    std::uint32_t w[4];
    generate(key, counter, w);
    const std::uint64_t bits = (std::uint64_t{w[0]} << 21) ^ (w[1] >> 11);
    return static_cast<double>(bits & ((std::uint64_t{1} << 53) - 1)) * 0x1.0p-53;
  }

  // Standard normal (Box-Muller on the two halves of one block).
  static double normal(PhiloxKey key, std::uint64_t counter) {
    std::uint32_t w[4];
    generate(key, counter, w);
    const std::uint64_t b1 = (std::uint64_t{w[0]} << 21) ^ (w[1] >> 11);
    const std::uint64_t b2 = (std::uint64_t{w[2]} << 21) ^ (w[3] >> 11);
    const double mask = static_cast<double>((std::uint64_t{1} << 53) - 1);
    const double u1 = (static_cast<double>(b1 & ((std::uint64_t{1} << 53) - 1)) + 1.0) / (mask + 2.0);
    const double u2 = static_cast<double>(b2 & ((std::uint64_t{1} << 53) - 1)) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  // Uniform integer in [0, n).
  static std::uint64_t below(PhiloxKey key, std::uint64_t counter, std::uint64_t n) {
    return static_cast<std::uint64_t>(uniform(key, counter) * static_cast<double>(n)) % n;
  }
};

// Stream identifiers: one per consumer, so that adding a consumer never shifts
// another's numbers.
namespace streams {
inline constexpr std::uint64_t kInit = 1;          // parameter initialisation (+ parameter index)
inline constexpr std::uint64_t kData = 2;          // dataset generation and splits
inline constexpr std::uint64_t kBatch = 3;         // batch sampling order
inline constexpr std::uint64_t kRouterNoise = 4;   // noisy top-k noise, GShard random dispatch
inline constexpr std::uint64_t kExpertDropout = 5; // expert dropout masks
inline constexpr std::uint64_t kTraceSample = 6;   // which routing decisions are traced
inline constexpr std::uint64_t kDropout = 7;       // activation dropout masks
inline constexpr std::uint64_t kUser = 1000;       // substrates start their streams here
}  // namespace streams

}  // namespace moesim
