#include "train/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace moesim {

ProgressReporter::ProgressReporter(std::string label, int total_steps, bool terminal)
    : label_(std::move(label)),
      total_(total_steps),
      terminal_(terminal),
      next_report_(std::max(1, total_steps / 10)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

bool ProgressReporter::stderr_is_terminal() { return isatty(fileno(stderr)) != 0; }

void ProgressReporter::update(int step, double loss, double tokens_per_s) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = step > 0 ? elapsed / step * (total_ - step) : 0.0;
  if (terminal_) {
    if (step != total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    std::fprintf(stderr, "\r\033[K%-28s step %6d/%d  loss %.4f  %9.0f tok/s  ETA %5.0fs",
                 label_.c_str(), step, total_, loss, tokens_per_s, eta);
    std::fflush(stderr);
  } else if (step >= next_report_ || step == total_) {
    next_report_ = step + std::max(1, total_ / 10);
    std::fprintf(stderr, "%s step %d/%d (%d%%) loss %.4f %.0f tok/s ETA %.0fs\n", label_.c_str(),
                 step, total_, int(100.0 * step / total_), loss, tokens_per_s, eta);
  }
}

void ProgressReporter::finish(const std::string& result) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (terminal_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s done in %.1fs: %s\n", label_.c_str(), elapsed, result.c_str());
}

}  // namespace moesim
