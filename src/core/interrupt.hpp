// SIGTERM / SIGINT handling: the handler only records the signal; long loops
// poll interrupt_requested() at step boundaries, flush, close the trace as
// "interrupted" and the process exits 128 + signal (143 / 130).
#pragma once

namespace moesim {

void install_interrupt_handlers();
bool interrupt_requested();
int interrupt_signal();     // 0 if none
void clear_interrupt();     // for tests

}  // namespace moesim
