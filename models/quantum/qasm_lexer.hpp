// Tokens of OpenQASM 2.0 source with their file, line and column, for the
// reader's error messages (internal to qasm_reader.cpp).
#pragma once
#include "core/error.hpp"

#include <cctype>
#include <memory>
#include <string>
#include <vector>

namespace moesim::quantum::qasm {

enum class Tok { Ident, Int, Real, String, Symbol, End };

struct Token {
  Tok type = Tok::End;
  std::string text;
  int line = 1, col = 1;
};

struct Location {
  std::shared_ptr<const std::string> file;
  int line = 1, col = 1;
};

[[noreturn]] inline void fail(const std::string& file, int line, int col, const std::string& msg) {
  throw DataError(file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + msg);
}

// Splits `src` into tokens; ends with one Tok::End. Comments: // and /* */.
inline std::vector<Token> tokenize(const std::string& src, const std::string& file) {
  std::vector<Token> out;
  std::size_t i = 0;
  int line = 1, col = 1;
  auto advance = [&](std::size_t n) {
    for (std::size_t k = 0; k < n && i < src.size(); ++k, ++i) {
      if (src[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
  };
  while (i < src.size()) {
    const char c = src[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      advance(1);
      continue;
    }
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      while (i < src.size() && src[i] != '\n') advance(1);
      continue;
    }
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      const int l0 = line, c0 = col;
      advance(2);
      while (i < src.size() && !(src[i] == '*' && i + 1 < src.size() && src[i + 1] == '/')) advance(1);
      if (i >= src.size()) fail(file, l0, c0, "unterminated /* comment");
      advance(2);
      continue;
    }
    Token t;
    t.line = line;
    t.col = col;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < src.size() && (std::isalnum(static_cast<unsigned char>(src[j])) || src[j] == '_')) ++j;
      t.type = Tok::Ident;
      t.text = src.substr(i, j - i);
      advance(j - i);
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < src.size() && std::isdigit(static_cast<unsigned char>(src[i + 1])))) {
      std::size_t j = i;
      bool real = false;
      while (j < src.size() && std::isdigit(static_cast<unsigned char>(src[j]))) ++j;
      if (j < src.size() && src[j] == '.') {
        real = true;
        ++j;
        while (j < src.size() && std::isdigit(static_cast<unsigned char>(src[j]))) ++j;
      }
      if (j < src.size() && (src[j] == 'e' || src[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < src.size() && (src[k] == '+' || src[k] == '-')) ++k;
        if (k < src.size() && std::isdigit(static_cast<unsigned char>(src[k]))) {
          real = true;
          j = k;
          while (j < src.size() && std::isdigit(static_cast<unsigned char>(src[j]))) ++j;
        }
      }
      t.type = real ? Tok::Real : Tok::Int;
      t.text = src.substr(i, j - i);
      advance(j - i);
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < src.size() && src[j] != '"' && src[j] != '\n') ++j;
      if (j >= src.size() || src[j] != '"') fail(file, line, col, "unterminated string");
      t.type = Tok::String;
      t.text = src.substr(i + 1, j - i - 1);
      advance(j + 1 - i);
    } else {
      static const char* two[] = {"->", "=="};
      t.type = Tok::Symbol;
      for (const char* s : two)
        if (src.compare(i, 2, s) == 0) t.text = s;
      if (t.text.empty()) {
        if (std::string(";,()[]{}+-*/^").find(c) == std::string::npos)
          fail(file, line, col, std::string("unexpected character '") + c + "'");
        t.text = std::string(1, c);
      }
      advance(t.text.size());
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.type = Tok::End;
  end.line = line;
  end.col = col;
  out.push_back(end);
  return out;
}

}  // namespace moesim::quantum::qasm
