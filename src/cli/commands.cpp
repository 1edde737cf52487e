#include "cli/commands.hpp"

#include <iostream>

namespace moesim::cli {

int main(int argc, char** argv) {
  std::cerr << "moesim: no command\n";
  return 2;
}

}  // namespace moesim::cli
