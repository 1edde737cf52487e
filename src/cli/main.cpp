// moesim command-line entry point (DESIGN.md §3).
#include "cli/commands.hpp"

int main(int argc, char** argv) { return moesim::cli::main(argc, argv); }
