// The mutable JSON document and Go's unmarshal-into-existing-value merge that the task engine
// applies to ACS's dockerConfig strings (task-engine.md §4.5).
#include "core/json_value.h"

#include <gtest/gtest.h>

namespace ecs {
namespace {

JsonValue parse(std::string_view text) {
  auto v = JsonValue::parse(text, errc::make_error_code(errc::invalid_argument), "test");
  EXPECT_TRUE(v) << (v ? "" : v.error().message);
  return v ? *v : JsonValue();
}

TEST(JsonValue, RoundTripsKeepingOrderAndExactIntegers) {
  const std::string text =
      R"({"b":1,"a":[true,false,null],"n":30000000000,"big":18446744073709551615,"s":"q\"\n","f":0.5,"o":{}})";
  EXPECT_EQ(parse(text).dump(), text);
}

TEST(JsonValue, RefusesWhatIsNotJsonNamingTheDocument) {
  auto v = JsonValue::parse("{\"a\":", errc::make_error_code(errc::invalid_argument), "hostConfig");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("hostConfig"), std::string::npos);
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_FALSE(JsonValue::parse(deep, errc::make_error_code(errc::invalid_argument), "deep"));
}

TEST(JsonValue, MergesAsGoUnmarshalsIntoAFilledStruct) {
  // What the agent built...
  JsonValue base = parse(R"({"Image":"busybox","Cmd":["sh"],"Env":["A=1"],
    "Labels":{"com.amazonaws.ecs.task-arn":"arn","keep":"1"},
    "HostConfig":{"Binds":["/a:/a"],"Memory":1048576,"LogConfig":{"Type":"json-file","Config":{"max-size":"1m"}}}})");
  // ...and what ACS sent: fields matched case-insensitively, maps merged by exact key, arrays
  // and scalars replaced, null resetting.
  base.merge_go(parse(R"({"cmd":["echo","hi"],"labels":{"keep":"2","new":"x","KEEP":"3"},
    "hostconfig":{"memory":null,"logconfig":{"config":{"max-file":"3"}},"Binds":[]}})"),
                {"Labels", "Config", "ExposedPorts", "PortBindings", "Sysctls", "Tmpfs", "StorageOpt"});
  EXPECT_EQ(
      base.dump(),
      R"({"Image":"busybox","Cmd":["echo","hi"],"Env":["A=1"],)"
      R"("Labels":{"com.amazonaws.ecs.task-arn":"arn","keep":"2","new":"x","KEEP":"3"},)"
      R"("HostConfig":{"Binds":[],"LogConfig":{"Type":"json-file","Config":{"max-size":"1m","max-file":"3"}}}})");
}

}  // namespace
}  // namespace ecs
