#include "core/file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace ecs {
namespace {

TEST(ReadFile, ReturnsContentBytesExactly) {
  test::TempDir dir;
  std::ofstream(dir.file("a"), std::ios::binary) << std::string("x\0y\n", 4);
  auto r = read_file(dir.file("a"));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, std::string("x\0y\n", 4));
}

TEST(ReadFile, MissingFileAndDirectoryAreErrorsNamingThePath) {
  test::TempDir dir;
  auto missing = read_file(dir.file("nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::no_such_file_or_directory);
  EXPECT_NE(missing.error().message.find(dir.file("nope")), std::string::npos);
  auto d = read_file(dir.path());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, errc::is_a_directory);
}

}  // namespace
}  // namespace ecs
