// Helpers shared by the peer tests (Python peers run through tools/*.py):
// capture a shell command's output and exit status, skip when python3 lacks a
// module, and locate the source tree's tools/ directory.
#pragma once
#include <cstdio>
#include <initializer_list>
#include <string>

namespace moesim::testing {

// Runs cmd through the shell; returns its stdout, sets status to pclose's
// status (-1 if the shell could not be started).
inline std::string capture(const std::string& cmd, int& status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    status = -1;
    return out;
  }
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  status = ::pclose(p);
  return out;
}

// True when `python3 -c 'import m1, m2, ...'` succeeds.
inline bool python_has_modules(std::initializer_list<const char*> modules) {
  std::string imports;
  for (const char* m : modules) imports += (imports.empty() ? "" : ", ") + std::string(m);
  int status = 0;
  capture("python3 -c 'import " + imports + "' >/dev/null 2>&1", status);
  return status == 0;
}

// <source>/tools, derived from MOESIM_TEST_DATA = <source>/tests/data (the
// data folder need not exist).
inline std::string tools_dir() {
  const std::string data = MOESIM_TEST_DATA;
  return data.substr(0, data.rfind("/tests/data")) + "/tools";
}

}  // namespace moesim::testing
