// A minimal test harness: the host tests need nothing but g++.
#pragma once

#include <cstdio>
#include <string>

namespace check {

inline int& failures() {
  static int n = 0;
  return n;
}
inline int& passes() {
  static int n = 0;
  return n;
}

inline void report(bool ok, const char* file, int line, const std::string& what) {
  if (ok) {
    ++passes();
  } else {
    ++failures();
    std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
  }
}

}  // namespace check

#define CHECK(cond) check::report((cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ(a, b) \
  check::report((a) == (b), __FILE__, __LINE__, std::string(#a " == " #b "; got '") + to_text(a) + "' vs '" + to_text(b) + "'")

inline std::string to_text(const std::string& s) { return s; }
inline std::string to_text(const char* s) { return s; }
template <typename T>
std::string to_text(T v) {
  return std::to_string(v);
}
