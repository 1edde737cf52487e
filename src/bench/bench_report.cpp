#include "bench/bench_report.hpp"

#include <cmath>
#include <cstdio>

namespace moesim {

BenchReport& BenchReport::add(const std::string& key, const std::string& value) {
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  fields_.emplace_back(key, quoted + "\"");
  return *this;
}

BenchReport& BenchReport::add(const std::string& key, double value) {
  char buf[64];
  if (std::isfinite(value))
    std::snprintf(buf, sizeof buf, "%.6g", value);
  else
    std::snprintf(buf, sizeof buf, "null");
  fields_.emplace_back(key, buf);
  return *this;
}

BenchReport& BenchReport::add(const std::string& key, long long value) {
  fields_.emplace_back(key, std::to_string(value));
  return *this;
}

void BenchReport::print(std::ostream& out, bool json) const {
  if (json) {
    out << "{";
    for (std::size_t i = 0; i < fields_.size(); ++i)
      out << (i ? ", " : "") << "\"" << fields_[i].first << "\": " << fields_[i].second;
    out << "}\n";
  } else {
    for (const auto& [k, v] : fields_) {
      std::string text = v;
      if (text.size() >= 2 && text.front() == '"') text = text.substr(1, text.size() - 2);
      char buf[160];
      std::snprintf(buf, sizeof buf, "  %-20s %s\n", k.c_str(), text.c_str());
      out << buf;
    }
    out << "\n";
  }
  out.flush();
}

}  // namespace moesim
