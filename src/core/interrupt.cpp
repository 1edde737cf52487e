// SIGTERM / SIGINT: the handler only stores the signal number (async-signal-safe).
// A second signal while the first is still pending restores the default action
// and re-raises it, so a stuck run can still be stopped with a second Ctrl-C.
#include "core/interrupt.hpp"

#include <csignal>
#include <cstring>

#include <signal.h>

namespace moesim {

namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void moesim_interrupt_handler(int sig) {
  if (g_signal != 0) {
    // Only async-signal-safe calls here: sigaction (via signal) and raise.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_signal = sig;
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = moesim_interrupt_handler;
  sigemptyset(&action.sa_mask);
  // Block the other signal while one is handled; restart interrupted system
  // calls so that I/O in progress (HDF5 writes) is not broken by the signal.
  sigaddset(&action.sa_mask, SIGTERM);
  sigaddset(&action.sa_mask, SIGINT);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

bool interrupt_requested() { return g_signal != 0; }

int interrupt_signal() { return static_cast<int>(g_signal); }

void clear_interrupt() { g_signal = 0; }

}  // namespace moesim
