// libFuzzer target: any bytes into the scenario parser; aborts when a
// property of tools/fuzz/parser_check.h breaks (ASan and UBSan catch the
// rest). Built and run by tools/fuzz/run, not by Bazel.
//
//   tools/fuzz/run parser 60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tools/fuzz/parser_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string why = tlsim::fuzz::CheckParserInput(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!why.empty()) {
    std::fprintf(stderr, "parser property broken: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
