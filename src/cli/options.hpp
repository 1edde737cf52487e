// Parsing shared by the subcommands: Boost.Program_options with strict
// spelling (no abbreviations), --kokkos-* pass-through, help layout.
#pragma once
#include <boost/program_options.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace moesim::cli {

namespace po = boost::program_options;

// What every subcommand receives.
struct Invocation {
  std::string command;                // "run"
  std::vector<std::string> args;      // arguments after the command, --kokkos-* removed
  std::vector<std::string> kokkos;    // the --kokkos-* arguments, untouched
  std::string command_line;           // the whole argv, shell-quoted where needed
};

// Splits off every argument that starts with "--kokkos-" (kept in order).
std::vector<std::string> take_kokkos_args(std::vector<std::string>& args);

// Help text of one command: usage line, what it does, its options and examples.
struct CommandHelp {
  std::string usage;     // "moesim run [--config F] …"
  std::string summary;   // a paragraph
  std::vector<std::string> examples;
};
void print_help(std::ostream& out, const CommandHelp& help, const po::options_description& options);

// Parses `args` against `options`; positional arguments go to `positional_name`
// if given (any number), otherwise any positional argument is an error.
// Throws po::error or UsageError (exit 2).
po::variables_map parse_options(const Invocation& inv, const po::options_description& options,
                                const char* positional_name = nullptr);

// --threads N: must be >= 1 when given (UsageError otherwise); -1 if absent.
int threads_option(const po::variables_map& vm);

// Adds --threads to `options` (shared by run, info, bench).
void add_threads_option(po::options_description& options);

}  // namespace moesim::cli
