#include "cli/options.hpp"

#include "core/error.hpp"

namespace moesim::cli {

std::vector<std::string> take_kokkos_args(std::vector<std::string>& args) {
  std::vector<std::string> kokkos, rest;
  for (auto& a : args) (a.rfind("--kokkos-", 0) == 0 ? kokkos : rest).push_back(a);
  args = std::move(rest);
  return kokkos;
}

void print_help(std::ostream& out, const CommandHelp& help, const po::options_description& options) {
  out << "usage: " << help.usage << "\n\n" << help.summary << "\n\n" << options;
  out << "\nKokkos options (--kokkos-*=VALUE) are passed to Kokkos untouched,\n"
         "e.g. --kokkos-disable-warnings\n";
  if (!help.examples.empty()) {
    out << "\nexamples:\n";
    for (const auto& e : help.examples) out << "  " << e << "\n";
  }
  out << "\nexit codes: 0 success, 1 internal failure, 2 bad usage or configuration,\n"
         "3 bad input data, 143 / 130 after SIGTERM / SIGINT\n";
}

po::variables_map parse_options(const Invocation& inv, const po::options_description& options,
                                const char* positional_name) {
  po::options_description all;
  all.add(options);
  const char* stray = "moesim-unexpected-argument";
  all.add_options()(stray, po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add(positional_name ? positional_name : stray, -1);
  const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  po::variables_map vm;
  po::store(po::command_line_parser(inv.args).options(all).positional(pos).style(style).run(), vm);
  po::notify(vm);
  if (vm.count(stray)) {
    const auto& extra = vm[stray].as<std::vector<std::string>>();
    throw UsageError(inv.command + ": unexpected argument '" + extra.front() + "' (see `moesim " +
                     inv.command + " --help`)");
  }
  return vm;
}

void add_threads_option(po::options_description& options) {
  options.add_options()("threads", po::value<int>()->value_name("N"),
                        "worker threads for Kokkos (default: OMP_NUM_THREADS or all cores), "
                        "e.g. --threads 8");
}

int threads_option(const po::variables_map& vm) {
  if (!vm.count("threads")) return -1;
  const int n = vm["threads"].as<int>();
  if (n < 1) throw UsageError("--threads: must be >= 1, got " + std::to_string(n));
  return n;
}

}  // namespace moesim::cli
