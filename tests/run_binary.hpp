// Runs the built moesim executable (MOESIM_BINARY) from tests, capturing exit
// status, stdout and stderr; or starts it in the background for signal tests.
#pragma once
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace moesim::testing {

struct RunResult {
  int exit_code = -1;  // 128 + signal if killed by one
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A fresh empty directory under the system temp dir.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("moesim_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

// Starts moesim with args, stdout/stderr redirected to files; returns the pid.
inline pid_t spawn_moesim(const std::vector<std::string>& args, const std::string& out_file,
                          const std::string& err_file, const std::string& cwd = "") {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> all{MOESIM_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const std::string old_cwd = std::filesystem::current_path();
  if (!cwd.empty()) std::filesystem::current_path(cwd);
  posix_spawn(&pid, MOESIM_BINARY, &fa, nullptr, argv.data(), environ);
  if (!cwd.empty()) std::filesystem::current_path(old_cwd);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

inline int wait_exit_code(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

inline RunResult run_moesim(const std::vector<std::string>& args, const std::string& cwd = "") {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path();
  const std::string tag = std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const std::string out = (dir / ("moesim_out_" + tag)).string();
  const std::string err = (dir / ("moesim_err_" + tag)).string();
  RunResult r;
  r.exit_code = wait_exit_code(spawn_moesim(args, out, err, cwd));
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace moesim::testing
