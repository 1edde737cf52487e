// `moesim list [routers|experts|datasets|presets]`: registered names, one per
// line with a one-line description, names aligned.
#include "cli/commands.hpp"

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "models/register_models.hpp"

#include <algorithm>
#include <iostream>

namespace moesim::cli {

namespace {

const std::vector<std::string> kKinds = {"routers", "experts", "datasets", "presets"};

void print_entries(std::ostream& out, const std::map<std::string, std::string>& entries,
                   const std::string& indent) {
  std::size_t width = 0;
  for (const auto& [name, _] : entries) width = std::max(width, name.size());
  for (const auto& [name, description] : entries) {
    out << indent << name;
    if (!description.empty()) out << std::string(width - name.size() + 2, ' ') << description;
    out << "\n";
  }
}

}  // namespace

int list_command(const Invocation& inv) {
  po::options_description options("options", 100, 40);
  options.add_options()("help,h", "this help, e.g. moesim list --help");
  po::options_description all;
  all.add(options);
  all.add_options()("kind", po::value<std::vector<std::string>>(), "");
  const auto vm = parse_options(inv, all, "kind");
  if (vm.count("help")) {
    print_help(std::cout,
               {"moesim list [routers|experts|datasets|presets]",
                "Lists the registered names of one kind, one per line with a one-line\n"
                "description; without a kind, all four under headings.",
                {"moesim list", "moesim list routers", "moesim list presets"}},
               options);
    return 0;
  }
  std::vector<std::string> kinds = kKinds;
  if (vm.count("kind")) {
    const auto& given = vm["kind"].as<std::vector<std::string>>();
    if (given.size() > 1)
      throw UsageError("list: expected at most one kind, got '" + given[0] + "' and '" + given[1] + "'");
    if (std::find(kKinds.begin(), kKinds.end(), given[0]) == kKinds.end())
      throw UsageError("list: unknown kind '" + given[0] +
                       "' (accepted: routers, experts, datasets, presets)");
    kinds = given;
  }
  Registry registry;
  ConfigSchema schema;
  register_builtins(registry, schema);
  if (kinds.size() == 1) {
    print_entries(std::cout, registry.list(kinds[0]), "");
    return 0;
  }
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    std::cout << (i ? "\n" : "") << kinds[i] << ":\n";
    print_entries(std::cout, registry.list(kinds[i]), "  ");
  }
  return 0;
}

}  // namespace moesim::cli
