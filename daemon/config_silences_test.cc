// The configuration file's standing silences: what an entry becomes
// (config_silences.h), and the SilenceRegistry keeping them apart from the
// API's persisted silences (replaced wholesale, never stored, both asked).
#include "daemon/config_silences.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "daemon/engine_clock.h"
#include "daemon/silence_registry.h"
#include "daemon/test_store.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1798761600);  // 2027-01-01Z

v1::Alert AlertOf(const std::string& tenant, const std::string& shop,
                  v1::AlertKind kind) {
  v1::Alert a;
  a.mutable_key()->set_tenant(tenant);
  a.mutable_key()->set_shop_id(shop);
  a.mutable_key()->set_kind(kind);
  a.set_severity(v1::WARNING);
  return a;
}

TEST(ConfigSilencesTest, EntriesBecomeSilencesNamedAfterTheConfig) {
  v1::DaemonConfig c;
  v1::ConfigSilence* open = c.add_silences();
  open->set_name("acme-closures");
  open->set_tenant("acme");
  open->set_kind(v1::CLOSURE_BLOCKED);
  v1::ConfigSilence* window = c.add_silences();
  window->set_name("xmas");
  window->set_severity(v1::INFO);
  window->set_starts_at("2027-01-01T00:00:00Z");
  window->set_ends_at("2027-01-02T00:00:00Z");
  window->set_by("ops");
  window->set_comment("holiday");
  absl::StatusOr<std::vector<notifier::Silence>> s = ConfigSilences(c);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].id, "config:acme-closures");
  EXPECT_EQ((*s)[0].by, "config");
  EXPECT_EQ((*s)[0].starts_at, absl::InfinitePast());
  EXPECT_EQ((*s)[0].ends_at, absl::InfiniteFuture());
  EXPECT_EQ((*s)[1].id, "config:xmas");
  EXPECT_EQ((*s)[1].by, "ops");
  EXPECT_EQ((*s)[1].comment, "holiday");
  EXPECT_EQ((*s)[1].starts_at, kT0);
  EXPECT_EQ((*s)[1].ends_at, kT0 + absl::Hours(24));

  // Active only inside its window.
  v1::Alert info = AlertOf("any", "s", v1::UNPAID_FEES);
  info.set_severity(v1::INFO);
  EXPECT_FALSE(notifier::SilenceMatches((*s)[1], info, kT0 - absl::Seconds(1)));
  EXPECT_TRUE(notifier::SilenceMatches((*s)[1], info, kT0));
  EXPECT_FALSE(notifier::SilenceMatches((*s)[1], info, kT0 + absl::Hours(24)));
}

TEST(ConfigSilencesTest, BadEntriesNameTheirIndex) {
  struct Case {
    const char* name;
    v1::ConfigSilence entry;
    std::string says;
  };
  auto make = [](auto fill) {
    v1::ConfigSilence c;
    c.set_name("n");
    c.set_tenant("acme");
    fill(&c);
    return c;
  };
  const std::vector<Case> cases = {
      {"no name", make([](v1::ConfigSilence* c) { c->clear_name(); }),
       "name is required"},
      {"no matcher", make([](v1::ConfigSilence* c) { c->clear_tenant(); }),
       "at least one matcher"},
      {"shop without tenant", make([](v1::ConfigSilence* c) {
         c->clear_tenant();
         c->set_shop_id("s1");
       }),
       "shop_id needs its tenant"},
      {"unknown kind", make([](v1::ConfigSilence* c) {
         c->set_kind(static_cast<v1::AlertKind>(999));
       }),
       "kind 999 is not an alert kind"},
      {"unknown severity", make([](v1::ConfigSilence* c) {
         c->set_severity(static_cast<v1::Severity>(77));
       }),
       "severity 77"},
      {"bad time",
       make([](v1::ConfigSilence* c) { c->set_ends_at("tomorrow"); }),
       "ends_at \"tomorrow\" is not an RFC 3339 time"},
      {"end before start", make([](v1::ConfigSilence* c) {
         c->set_starts_at("2027-01-02T00:00:00Z");
         c->set_ends_at("2027-01-01T00:00:00Z");
       }),
       "is not after starts_at"},
      {"long comment", make([](v1::ConfigSilence* c) {
         c->set_comment(std::string(5000, 'x'));
       }),
       "too long"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::DaemonConfig config;
    v1::ConfigSilence* good = config.add_silences();
    good->set_name("first");
    good->set_tenant("other");
    *config.add_silences() = c.entry;
    absl::StatusOr<std::vector<notifier::Silence>> r = ConfigSilences(config);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string m(r.status().message());
    EXPECT_EQ(m.rfind("silences[1]: ", 0), 0u) << m;
    EXPECT_NE(m.find(c.says), std::string::npos) << m;
  }
  v1::DaemonConfig dup;
  for (int i = 0; i < 2; ++i) {
    v1::ConfigSilence* s = dup.add_silences();
    s->set_name("same");
    s->set_tenant("acme");
  }
  absl::StatusOr<std::vector<notifier::Silence>> r = ConfigSilences(dup);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("used by an earlier"),
            std::string::npos);
}

std::vector<notifier::Silence> FileSilences(const char* text) {
  v1::DaemonConfig c;
  v1::ConfigSilence* s = c.add_silences();
  s->set_name(text);
  s->set_tenant("acme");
  s->set_kind(v1::CLOSURE_BLOCKED);
  absl::StatusOr<std::vector<notifier::Silence>> out = ConfigSilences(c);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<notifier::Silence>{};
}

TEST(ConfigSilencesTest, RegistryReplacesTheFileSetAndKeepsTheApis) {
  TestStore ts("config-silences");
  ASSERT_NE(ts.store, nullptr);
  TestClock clock(kT0);
  absl::StatusOr<std::unique_ptr<SilenceRegistry>> reg =
      SilenceRegistry::Load(ts.store.get(), &clock);
  ASSERT_TRUE(reg.ok()) << reg.status();

  notifier::Silence api;
  api.tenant = "acme";
  api.shop_id = "held";
  api.ends_at = kT0 + absl::Hours(1);
  api.by = "oncall";
  absl::StatusOr<std::string> api_id = (*reg)->Add(api);
  ASSERT_TRUE(api_id.ok()) << api_id.status();

  const v1::Alert blocked = AlertOf("acme", "blocked", v1::CLOSURE_BLOCKED);
  const v1::Alert held = AlertOf("acme", "held", v1::CLOSURE_BLOCKED);
  EXPECT_EQ((*reg)->SilencedBy(blocked, kT0), "");
  EXPECT_EQ((*reg)->SilencedBy(held, kT0), *api_id);

  (*reg)->ReplaceConfigured(FileSilences("a"));
  EXPECT_EQ((*reg)->SilencedBy(blocked, kT0), "config:a");
  EXPECT_EQ((*reg)->SilencedBy(held, kT0), *api_id);  // the API's first
  EXPECT_EQ((*reg)->Active().size(), 2u);

  // Replaced wholesale: "a" is gone, "b" is in.
  (*reg)->ReplaceConfigured(FileSilences("b"));
  EXPECT_EQ((*reg)->SilencedBy(blocked, kT0), "config:b");
  ASSERT_EQ((*reg)->Active().size(), 2u);
  EXPECT_EQ((*reg)->Active()[1].id, "config:b");

  // Expire drops the ended API silence only; the file's stays.
  ASSERT_TRUE(clock.Set(kT0 + absl::Hours(2)).ok());
  absl::StatusOr<size_t> expired = (*reg)->Expire();
  ASSERT_TRUE(expired.ok()) << expired.status();
  EXPECT_EQ(*expired, 1u);
  EXPECT_EQ((*reg)->SilencedBy(held, kT0), "config:b");

  // Never persisted: a reload of the store knows only API silences.
  (*reg)->ReplaceConfigured({});
  EXPECT_EQ((*reg)->SilencedBy(blocked, kT0), "");
  ASSERT_TRUE(clock.Set(kT0 + absl::Hours(3)).ok());
  notifier::Silence later = api;
  later.ends_at = kT0 + absl::Hours(5);
  ASSERT_TRUE((*reg)->Add(later).ok());
  (*reg)->ReplaceConfigured(FileSilences("c"));
  absl::StatusOr<std::unique_ptr<SilenceRegistry>> again =
      SilenceRegistry::Load(ts.store.get(), &clock);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ((*again)->Active().size(), 1u);
  EXPECT_EQ((*again)->Active()[0].by, "oncall");
  EXPECT_EQ((*again)->SilencedBy(blocked, kT0), "");
}

}  // namespace
}  // namespace depositd::daemon
