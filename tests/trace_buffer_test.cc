// trace::Buffer, the byte buffer the text and JSON observers format into:
// what goes in comes out, across growth, for every integer form.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "lib/trace/buffer.h"

namespace tlsim::trace {
namespace {

TEST_CASE("a buffer holds what was appended, in order, across growth",
          "[trace]") {
  Buffer b;
  CHECK(b.size() == 0);
  CHECK(b.view().empty());
  b.Append(std::string_view());  // no data at all: nothing to copy
  b += "";
  CHECK(b.size() == 0);
  std::string want;
  for (int i = 0; i < 5000; ++i) {
    b += "step ";
    b += static_cast<char>('a' + i % 26);
    b.Append(std::string(static_cast<size_t>(i % 7), '.'));
    want += "step ";
    want += static_cast<char>('a' + i % 26);
    want += std::string(static_cast<size_t>(i % 7), '.');
  }
  CHECK(b.size() == want.size());
  CHECK(b.view() == want);
}

TEST_CASE("a buffer writes integers as decimal text", "[trace]") {
  Buffer b;
  for (uint64_t n : {uint64_t{0}, uint64_t{9}, uint64_t{10}, uint64_t{4096},
                     std::numeric_limits<uint64_t>::max()}) {
    b.clear();
    b.AppendDecimal(n);
    CHECK(b.view() == std::to_string(n));
  }
  for (int64_t n : {int64_t{-1}, int64_t{0}, int64_t{7}, int64_t{-10},
                    std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    b.clear();
    b.AppendSigned(n);
    CHECK(b.view() == std::to_string(n));
  }
}

TEST_CASE("clear, truncate, reserve and commit", "[trace]") {
  Buffer b;
  b += "hello, world";
  const char* memory = b.data();
  b.Truncate(5);
  CHECK(b.view() == "hello");
  b.Truncate(50);  // longer than the contents: nothing changes
  CHECK(b.view() == "hello");
  b.clear();
  CHECK(b.size() == 0);
  CHECK(b.data() == memory);  // the memory is kept for the next line
  char* at = b.Reserve(100);
  at[0] = 'o';
  at[1] = 'k';
  b.Commit(at + 2);
  CHECK(b.view() == "ok");
}

}  // namespace
}  // namespace tlsim::trace
