// Value checking for the configuration: parsing of typed values, bounds,
// choices, the canonical text stored for a value, and "did you mean"
// suggestions for unknown keys. Used by config.cpp; exposed for tests and for
// code that checks values the same way (e.g. command-line options).
#pragma once
#include "config/config.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace moesim {

// Whole-string parses; false if `text` is not entirely a value of the type.
bool parse_int_text(const std::string& text, std::int64_t& out);
bool parse_real_text(const std::string& text, double& out);  // finite only
bool parse_bool_text(const std::string& text, bool& out);    // true/false, yes/no, on/off, 1/0

// Comma-separated elements, each trimmed; "" gives no elements. Throws
// UsageError for an empty element ("a,,b").
std::vector<std::string> split_list(const std::string& text);

// Checks `value` against `spec` and returns its canonical text (integers
// reformatted, booleans as true/false, lists without spaces). Throws UsageError
// "<name>: …" naming the value and what is accepted.
std::string normalize_value(const KeySpec& spec, const std::string& value, const std::string& name);

// "integer >= 1", "real in [0, 1)", "switch, gshard", … for messages and --print-config.
std::string accepted_text(const KeySpec& spec);

// Up to three declared keys close to `key` (edit distance on the whole key or
// on its last component), closest first.
std::vector<std::string> suggest_keys(const ConfigSchema& schema, const std::string& key);
// "unknown key 'x' (did you mean 'a' or 'b'?)" or, with no suggestion, the sections.
std::string unknown_key_message(const ConfigSchema& schema, const std::string& key,
                                const std::vector<std::string>& suggestions);

}  // namespace moesim
