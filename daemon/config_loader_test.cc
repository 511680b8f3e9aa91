// The pure parts of live reload: a configuration file is taken whole or
// refused with FILE:LINE:COLUMN; which settings wait for a restart; what
// GetConfig shows of secrets.
#include "daemon/config_loader.h"

#include <string>
#include <vector>

#include "daemon/config_reload.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

constexpr char kGood[] = R"pb(
  tenants {
    tenant: "acme"
    profile { closure_waiting_days: 45 }
  }
  sinks { name: "ops" type: WEBHOOK url: "http://127.0.0.1:9/hook" }
  routes { sinks: "ops" }
)pb";

TEST(ConfigLoaderTest, GoodFileParses) {
  absl::StatusOr<v1::DaemonConfig> c = ParseDaemonConfig(kGood, "a.textproto");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->tenants(0).profile().closure_waiting_days(), 45);
  EXPECT_EQ(c->routes_size(), 1);
}

// Each bad file names the file, the line of the offending entry and what
// is wrong.
TEST(ConfigLoaderTest, BadFilesNameFileAndLine) {
  struct Case {
    const char* name;
    std::string text;
    std::string prefix;  // FILE:LINE expected at the start
    std::string says;    // part of the message
  };
  const std::vector<Case> cases = {
      {"syntax", "tenants {\n  tenant: \"acme\"\n  bogus: 1\n}\n",
       "f.textproto:3:", "bogus"},
      {"unknown sink in a route",
       "sinks { name: \"ops\" type: WEBHOOK url: \"http://h/x\" }\n"
       "routes { sinks: \"ops\" }\n"
       "routes {\n  sinks: \"nope\"\n}\n",
       "f.textproto:4:", "unknown sink \"nope\""},
      {"bad sink url",
       "\n\nsinks {\n  name: \"ops\"\n  type: WEBHOOK\n  url: \"ftp://x\"\n}\n",
       "f.textproto:6:", "ftp://x"},
      {"negative feed silence",
       "tenants { tenant: \"a\" }\n"
       "tenants {\n  tenant: \"b\"\n  feed_silence_minutes: -1\n}\n",
       "f.textproto:2:", "feed_silence_minutes"},
      {"silence without a matcher",
       "tenants { tenant: \"a\" }\n"
       "silences { name: \"ok\" tenant: \"a\" }\n"
       "silences {\n  name: \"all\"\n  by: \"ops\"\n}\n",
       "f.textproto:3:", "silences[1]: a silence needs at least one matcher"},
      {"silence ending before it starts",
       "\nsilences {\n  name: \"x\"\n  kind: CLOSURE_BLOCKED\n"
       "  starts_at: \"2027-01-02T00:00:00Z\"\n"
       "  ends_at: \"2027-01-01T00:00:00Z\"\n}\n",
       "f.textproto:2:", "is not after starts_at"},
      // protobuf's parser places an unknown enum name at the token after
      // it (the next line when the name ends its line).
      {"silence with an unknown alert kind",
       "silences {\n  name: \"x\"\n  kind: CLOSURE_LATE by: \"ops\"\n}\n",
       "f.textproto:3:", "CLOSURE_LATE"},
      {"silence with a numeric kind that is none",
       "silences {\n  name: \"x\"\n  kind: 99\n}\n", "f.textproto:", "99"},
      {"profile value out of range",
       "profiles {\n  name: \"p\"\n  base: \"generic\"\n"
       "  closure_waiting_days: -3\n}\n",
       "f.textproto:", "closure_waiting_days"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<v1::DaemonConfig> r =
        ParseDaemonConfig(c.text, "f.textproto");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string m(r.status().message());
    EXPECT_EQ(m.rfind(c.prefix, 0), 0u) << m;
    EXPECT_NE(m.find(c.says), std::string::npos) << m;
  }
}

TEST(ConfigLoaderTest, LocatesFieldPaths) {
  const std::string text =
      "sinks { name: \"a\" type: WEBHOOK url: \"http://h/\" }\n"
      "sinks {\n  name: \"b\"\n  type: WEBHOOK\n  url: \"http://h/\"\n}\n"
      "routes { sinks: \"a\" }\n";
  EXPECT_EQ(LocateFieldPath(text, "sinks[1]").line, 2);
  EXPECT_EQ(LocateFieldPath(text, "sinks[1].url").line, 5);
  EXPECT_EQ(LocateFieldPath(text, "routes[0].sinks[0]").line, 7);
  EXPECT_EQ(LocateFieldPath(text, "routes[3]").line, 0);
  EXPECT_EQ(LocateFieldPath(text, "nonsense").line, 0);
}

TEST(ConfigLoaderTest, MissingFileIsNotFound) {
  absl::StatusOr<v1::DaemonConfig> r =
      LoadDaemonConfig("/nonexistent/depositd.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(LoadDaemonConfig("").ok());  // no file: built-ins only
}

TEST(ConfigLoaderTest, RedactsSecrets) {
  v1::DaemonConfig c;
  v1::Sink* s = c.add_sinks();
  s->set_secret("s3cret");
  s->set_url("https://hooks.slack.com/services/T0/B0/XXXX?x=1");
  v1::Sink* plain = c.add_sinks();
  plain->set_url("http://127.0.0.1:9093");
  const v1::DaemonConfig r = RedactSecrets(c);
  EXPECT_EQ(r.sinks(0).secret(), "<redacted>");
  EXPECT_EQ(r.sinks(0).url(), "https://hooks.slack.com/<redacted>");
  EXPECT_EQ(r.sinks(1).url(), "http://127.0.0.1:9093");
  EXPECT_EQ(r.sinks(1).secret(), "");
}

TEST(ConfigLoaderTest, SettingsNeedingRestart) {
  v1::DaemonConfig a;
  v1::DaemonConfig b;
  EXPECT_TRUE(SettingsNeedingRestart(a, b).empty());
  b.mutable_engine()->set_shards(4);
  b.mutable_engine()->set_pack_idle_seconds(60);
  b.mutable_feeds()->set_max_body_bytes(1024);
  b.add_tenants()->set_tenant("x");  // reloadable: not listed
  EXPECT_EQ(SettingsNeedingRestart(a, b),
            (std::vector<std::string>{"engine.shards",
                                      "engine.pack_idle_seconds", "feeds"}));
}

}  // namespace
}  // namespace depositd::daemon
