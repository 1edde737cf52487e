// Subcommands of the moesim executable. Each returns the process exit code
// (DESIGN.md §3): 0 success, 1 internal failure, 2 usage/config, 3 bad data.
#pragma once
#include <string>
#include <vector>

namespace moesim::cli {

int main(int argc, char** argv);

}  // namespace moesim::cli
