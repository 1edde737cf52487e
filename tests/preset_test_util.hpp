// Helpers shared by tests that read preset files: MOESIM_PRESETS set (or
// unset) for a scope, and a temporary directory to write preset files into.
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace moesim::testing {

// Sets (or unsets, with nullopt) MOESIM_PRESETS for the scope, then restores it.
class PresetsEnv {
 public:
  explicit PresetsEnv(const std::optional<std::string>& value) {
    if (const char* old = std::getenv("MOESIM_PRESETS")) old_ = old;
    if (value)
      ::setenv("MOESIM_PRESETS", value->c_str(), 1);
    else
      ::unsetenv("MOESIM_PRESETS");
  }
  ~PresetsEnv() {
    if (old_)
      ::setenv("MOESIM_PRESETS", old_->c_str(), 1);
    else
      ::unsetenv("MOESIM_PRESETS");
  }
  PresetsEnv(const PresetsEnv&) = delete;
  PresetsEnv& operator=(const PresetsEnv&) = delete;

 private:
  std::optional<std::string> old_;
};

// A fresh temporary directory moesim_<tag>_<pid>_<n>, removed at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("moesim_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` to <dir>/<name>; returns the file's path.
  std::string file(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace moesim::testing
