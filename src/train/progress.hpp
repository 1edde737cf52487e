// Progress on stderr: on a terminal one updating line per (variant, seed) with
// step, loss, tokens/s and ETA; in a batch log a plain line every 10%.
#pragma once
#include <chrono>
#include <string>

namespace moesim {

class ProgressReporter {
 public:
  ProgressReporter(std::string label, int total_steps, bool terminal);
  void update(int step, double loss, double tokens_per_s);  // step is 1-based
  void finish(const std::string& result);

  static bool stderr_is_terminal();

 private:
  std::string label_;
  int total_;
  bool terminal_;
  int next_report_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace moesim
