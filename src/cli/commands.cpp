// Command dispatch, top-level help and the one place where errors become exit codes.
#include "cli/commands.hpp"

#include "build_info.hpp"
#include "config/sources.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <iostream>

namespace moesim::cli {

int swarm_command(const Invocation& inv);  // swarm.cpp
int qasm_command(const Invocation& inv);   // qasm.cpp
int snn_command(const Invocation& inv);    // snn.cpp

const std::vector<CommandEntry>& commands() {
  static const std::vector<CommandEntry> table = {
      {"run", "train and evaluate every variant on the same data, seed and budget; write a trace",
       "moesim run [--config F] [--set k=v]... [--output F.h5] [--seed N] [--threads N] [--print-config]",
       "moesim run --config configs/capacity_sweep.ini --set model.top_k=1 --seed 3 --output out.h5",
       run_command},
      {"list", "registered routers, expert families, datasets and presets",
       "moesim list [routers|experts|datasets|presets]", "moesim list routers", list_command},
      {"info", "build facts: version, git hash, Kokkos, CUDA, MPI, HDF5, BLAS",
       "moesim info [--threads N]", "moesim info", info_command},
      {"bench", "kernel benchmarks (one JSON object per line with --json)",
       "moesim bench [NAME...] [--json] [--list] [--threads N]", "moesim bench moe_layer --json --threads 8",
       bench_command},
      {"swarm", "run a swarm optimizer (PSO, QPSO, ACO_R, ABC, ...) on a standard test function",
       "moesim swarm --algo A --problem P --dim D --evals N [--pop N] [--seed N]",
       "moesim swarm --algo pso --problem rastrigin --dim 10 --evals 100000 --seed 3", swarm_command},
      {"qasm", "run an OpenQASM 2.0 circuit on the state-vector engine (probabilities or shot counts)",
       "moesim qasm FILE [--shots N] [--noise PRESET] [--seed N] [--threads N] [--precision double|float]",
       "moesim qasm bell.qasm --shots 1000 --seed 3", qasm_command},
      {"snn", "run a spiking network preset (Brian2's CUBA); print rate, ISI CV, spikes, synaptic events",
       "moesim snn --preset NAME [--duration S] [--seed N] [--output F.h5] [--threads N]",
       "moesim snn --preset cuba --seed 3 --output cuba.h5", snn_command},
  };
  return table;
}

namespace {

void print_top_help(std::ostream& out) {
  out << "moesim " << MOESIM_VERSION_STRING
      << ": a Mixture-of-Experts simulator with pluggable router and expert substrates\n\n"
      << "usage: moesim COMMAND [OPTIONS]\n       moesim COMMAND --help   (every option of COMMAND)\n\n"
      << "commands:\n";
  for (const auto& c : commands()) {
    out << "  " << c.name << std::string(8 - std::min<std::size_t>(7, std::char_traits<char>::length(c.name)), ' ')
        << c.summary << "\n"
        << "          " << c.synopsis << "\n"
        << "          e.g. " << c.example << "\n";
  }
  out << "\noptions:\n"
      << "  -h, --help      this help, e.g. moesim --help; moesim run --help\n"
      << "  --version       print the version, e.g. moesim --version\n"
      << "  --kokkos-*      after a command, passed to Kokkos untouched,\n"
      << "                  e.g. moesim bench --kokkos-disable-warnings\n"
      << "\nrun options:\n"
      << "  --config F      INI file ([section] key = value), e.g. --config configs/capacity_sweep.ini\n"
      << "  --set K=V       override one key (repeatable), e.g. --set model.experts=16\n"
      << "  --output F.h5   trace file (default moesim_run.h5), e.g. --output run1.h5\n"
      << "  --seed N        experiment.seeds unless the config sets it, e.g. --seed 7\n"
      << "  --threads N     worker threads, e.g. --threads 8\n"
      << "  --print-config  print every key, its value, default and accepted values, e.g.\n"
      << "                  moesim run --set model.top_k=1 --print-config\n"
      << "\nexit codes: 0 success, 1 internal failure, 2 bad usage or configuration,\n"
      << "3 bad input data, 143 / 130 after SIGTERM / SIGINT\n";
}

std::string command_names() {
  std::string s;
  for (const auto& c : commands()) s += (s.empty() ? "" : ", ") + std::string(c.name);
  return s;
}

const CommandEntry* find_command(const std::string& name) {
  for (const auto& c : commands())
    if (name == c.name) return &c;
  return nullptr;
}

}  // namespace

int guarded(const std::string& command, const std::function<int()>& body) {
  const std::string hint = command.empty() ? "moesim --help" : "moesim " + command + " --help";
  try {
    return body();
  } catch (const UsageError& e) {
    std::cerr << "moesim: error: " << e.what() << "\n";
    return 2;
  } catch (const po::error& e) {  // names the option: "unrecognised option '--x'"
    std::cerr << "moesim: error: " << (command.empty() ? "" : command + ": ") << e.what()
              << " (see `" << hint << "`)\n";
    return 2;
  } catch (const DataError& e) {
    std::cerr << "moesim: error: " << e.what() << "\n";
    return 3;
  } catch (const NumericError& e) {
    std::cerr << "moesim: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "moesim: error: internal: " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << "moesim: error: internal: unknown exception\n";
    return 1;
  }
}

int main(int argc, char** argv) {
  return guarded("", [&]() -> int {
    if (argc < 2) {
      print_top_help(std::cerr);
      throw UsageError("no command given (commands: " + command_names() + ")");
    }
    const std::string first = argv[1];
    if (first == "-h" || first == "--help" || first == "help") {
      if (first == "help" && argc > 2) {
        if (!find_command(argv[2]))
          throw UsageError("unknown command '" + std::string(argv[2]) + "' (commands: " + command_names() + ")");
        Invocation inv{argv[2], {"--help"}, {}, join_command_line(argc, argv)};
        return find_command(argv[2])->run(inv);
      }
      print_top_help(std::cout);
      return 0;
    }
    if (first == "--version" || first == "-V") {
      std::cout << "moesim " << MOESIM_VERSION_STRING << " (" << MOESIM_GIT_HASH << ")\n";
      return 0;
    }
    if (!first.empty() && first[0] == '-')
      throw UsageError("unknown option '" + first + "' before the command (commands: " +
                       command_names() + "; see `moesim --help`)");
    const CommandEntry* cmd = find_command(first);
    if (!cmd)
      throw UsageError("unknown command '" + first + "' (commands: " + command_names() +
                       "; see `moesim --help`)");
    Invocation inv;
    inv.command = first;
    inv.args.assign(argv + 2, argv + argc);
    inv.kokkos = take_kokkos_args(inv.args);
    inv.command_line = join_command_line(argc, argv);
    return guarded(first, [&] { return cmd->run(inv); });
  });
}

}  // namespace moesim::cli
