// ecs-agent: the process entry point; everything else lives in the libraries.
#include <iostream>
#include <string>
#include <vector>

#include "app/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return ecs::app::run_command_line(args, std::cout, std::cerr);
}
