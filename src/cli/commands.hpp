// Subcommands of the moesim executable. Each returns the process exit code
// (DESIGN.md §3): 0 success, 1 internal failure, 2 usage/config, 3 bad data,
// 143 / 130 after SIGTERM / SIGINT. Errors are thrown; guarded() maps them to
// exit codes in one place.
#pragma once
#include "cli/options.hpp"

#include <functional>
#include <string>
#include <vector>

namespace moesim::cli {

int main(int argc, char** argv);

// Runs `body`, mapping exceptions to exit codes and "moesim: error: …" on
// stderr: UsageError and program_options errors 2, DataError 3, everything
// else (NumericError, std::exception) 1.
int guarded(const std::string& command, const std::function<int()>& body);

int run_command(const Invocation& inv);    // run.cpp
int list_command(const Invocation& inv);   // list.cpp
int info_command(const Invocation& inv);   // info.cpp
int bench_command(const Invocation& inv);  // bench.cpp

// One line per command for `moesim --help`: the synopsis and an example.
struct CommandEntry {
  const char* name;
  const char* summary;
  const char* synopsis;
  const char* example;
  int (*run)(const Invocation&);
};
const std::vector<CommandEntry>& commands();

}  // namespace moesim::cli
