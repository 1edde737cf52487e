// One benchmark result line: `key value` pairs printed either as a JSON
// object on one line (--json) or as aligned text. Keys keep insertion order.
#pragma once
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace moesim {

class BenchReport {
 public:
  BenchReport& add(const std::string& key, const std::string& value);  // a JSON string
  BenchReport& add(const std::string& key, double value);
  BenchReport& add(const std::string& key, long long value);
  void print(std::ostream& out, bool json) const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;  // key, JSON-encoded value
};

}  // namespace moesim
