// ApiSessions kept in a real Store (a temp data dir) with a fake clock:
// what is stored (hashes, never the cookie value or the token), a session
// found again after a reopen, sign-out deleting it, expired and unreadable
// records dropped at load, and eviction at max_sessions deleting too.
#include "daemon/api_sessions.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "daemon/auth.h"
#include "daemon/store.h"
#include "daemon/store_keys.h"
#include "depositd/store/v1/checkpoint.pb.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

std::string TempDir() {
  std::string tmpl = testing::TempDir() + "/api_sessions_test_XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return tmpl;
}

// Every stored session record: key -> value.
std::vector<std::pair<std::string, std::string>> Stored(const Store& store) {
  std::vector<std::pair<std::string, std::string>> out;
  EXPECT_TRUE(store
                  .Scan(Family::kMeta, kConsoleSessionKeyPrefix,
                        [&](absl::string_view k, absl::string_view v) {
                          if (!absl::StartsWith(k, kConsoleSessionKeyPrefix))
                            return false;
                          out.emplace_back(k, v);
                          return true;
                        })
                  .ok());
  return out;
}

class ApiSessionsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> s = Store::Open({dir_});
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }

  ApiSessions::Options Options() {
    ApiSessions::Options o;
    o.lifetime = absl::Hours(8);
    o.now = [this] { return now_; };
    o.store = store_.get();
    return o;
  }

  const std::string dir_ = TempDir();
  std::unique_ptr<Store> store_;
  absl::Time now_ = absl::FromUnixSeconds(1772668800);  // 2026-03-05
};

TEST_F(ApiSessionsStoreTest, StoresHashesOnlyAndFindsTheSessionAfterAReload) {
  ApiSessions::Session s;
  {
    ApiSessions sessions(Options());
    ASSERT_TRUE(sessions.load_status().ok());
    absl::StatusOr<ApiSessions::Session> made =
        sessions.Create("the-secret-token");
    ASSERT_TRUE(made.ok()) << made.status();
    s = *made;
  }
  EXPECT_EQ(s.token_sha256, Sha256Hex("the-secret-token"));
  const auto stored = Stored(*store_);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].first, ConsoleSessionKey(Sha256Hex(s.id)));
  EXPECT_FALSE(absl::StrContains(stored[0].second, s.id));
  EXPECT_FALSE(absl::StrContains(stored[0].second, "the-secret-token"));
  store::v1::ConsoleSession record;
  ASSERT_TRUE(record.ParseFromString(stored[0].second));
  EXPECT_EQ(record.csrf_token(), s.csrf_token);
  EXPECT_EQ(record.token_sha256(), Sha256Hex("the-secret-token"));
  EXPECT_EQ(absl::FromUnixNanos(record.expires_at_nanos()), s.expires_at);

  ApiSessions again(Options());
  ASSERT_TRUE(again.load_status().ok());
  std::optional<ApiSessions::Session> found = again.Find(s.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, s.id);
  EXPECT_EQ(found->csrf_token, s.csrf_token);
  EXPECT_EQ(found->token_sha256, s.token_sha256);
  EXPECT_EQ(found->expires_at, s.expires_at);
  EXPECT_FALSE(again.Find("forged").has_value());

  // Sign-out deletes the record: the next load does not know the session.
  again.End(s.id);
  EXPECT_TRUE(Stored(*store_).empty());
  ApiSessions third(Options());
  EXPECT_FALSE(third.Find(s.id).has_value());
  EXPECT_EQ(third.size(), 0u);
}

TEST_F(ApiSessionsStoreTest, ExpiredAndUnreadableRecordsAreDroppedAtLoad) {
  std::string old_id;
  std::string live_id;
  {
    ApiSessions sessions(Options());
    old_id = sessions.Create("t1")->id;
    now_ += absl::Hours(4);
    live_id = sessions.Create("t2")->id;
  }
  StoreBatch junk(*store_);
  junk.Put(Family::kMeta, ConsoleSessionKey("junk"), "\xff\xff not a proto");
  ASSERT_TRUE(store_->Write(junk, /*sync=*/false).ok());
  ASSERT_EQ(Stored(*store_).size(), 3u);

  now_ += absl::Hours(5);  // the first expired an hour ago
  ApiSessions sessions(Options());
  ASSERT_TRUE(sessions.load_status().ok());
  EXPECT_EQ(sessions.size(), 1u);
  EXPECT_FALSE(sessions.Find(old_id).has_value());
  EXPECT_TRUE(sessions.Find(live_id).has_value());
  const auto stored = Stored(*store_);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].first, ConsoleSessionKey(Sha256Hex(live_id)));
}

TEST_F(ApiSessionsStoreTest, EvictionAtTheLimitDeletesTheRecordToo) {
  ApiSessions::Options o = Options();
  o.max_sessions = 2;
  ApiSessions sessions(o);
  const std::string first = sessions.Create("t")->id;
  now_ += absl::Minutes(1);
  const std::string second = sessions.Create("t")->id;
  now_ += absl::Minutes(1);
  const std::string third = sessions.Create("t")->id;
  EXPECT_EQ(sessions.size(), 2u);
  EXPECT_FALSE(sessions.Find(first).has_value());  // expires first: evicted
  EXPECT_TRUE(sessions.Find(second).has_value());
  EXPECT_TRUE(sessions.Find(third).has_value());
  const auto stored = Stored(*store_);
  ASSERT_EQ(stored.size(), 2u);
  for (const auto& [key, value] : stored) {
    EXPECT_NE(key, ConsoleSessionKey(Sha256Hex(first)));
  }
}

TEST(ApiSessionsTest, WithoutAStoreSessionsLiveInMemory) {
  ApiSessions sessions(ApiSessions::Options{});
  absl::StatusOr<ApiSessions::Session> s = sessions.Create("t");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(sessions.Find(s->id).has_value());
  sessions.End(s->id);
  EXPECT_FALSE(sessions.Find(s->id).has_value());
}

}  // namespace
}  // namespace depositd::daemon
