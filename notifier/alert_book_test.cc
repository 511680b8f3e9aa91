#include "notifier/alert_book.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace depositd::notifier {
namespace {

v1::Finding MakeFinding(v1::AlertKind kind, const std::string& subject,
                        const std::string& stage,
                        v1::Severity severity = v1::WARNING) {
  v1::Finding f;
  f.mutable_key()->set_tenant("t1");
  f.mutable_key()->set_shop_id("s1");
  f.mutable_key()->set_kind(kind);
  f.mutable_key()->set_subject(subject);
  f.set_severity(severity);
  f.set_stage(stage);
  f.set_summary("summary " + stage);
  return f;
}

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01

TEST(AlertBookTest, NewFindingFiresOnce) {
  AlertBook book;
  auto t = book.Update({MakeFinding(v1::INACTIVITY, "", "30d")}, kT0);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].state(), v1::FIRING);
  EXPECT_EQ(t[0].stage(), "30d");
  EXPECT_EQ(t[0].starts_at().seconds(), absl::ToUnixSeconds(kT0));
  EXPECT_EQ(t[0].summary(), "summary 30d");

  // Same condition again: no page.
  t = book.Update({MakeFinding(v1::INACTIVITY, "", "30d")},
                  kT0 + absl::Hours(1));
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(book.active().size(), 1u);
}

TEST(AlertBookTest, NewStageOrSeverityFiresAgainKeepingStart) {
  AlertBook book;
  book.Update({MakeFinding(v1::INACTIVITY, "", "30d")}, kT0);
  auto t = book.Update({MakeFinding(v1::INACTIVITY, "", "14d")},
                       kT0 + absl::Hours(24 * 16));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].state(), v1::FIRING);
  EXPECT_EQ(t[0].stage(), "14d");
  EXPECT_EQ(t[0].starts_at().seconds(), absl::ToUnixSeconds(kT0));

  t = book.Update({MakeFinding(v1::INACTIVITY, "", "14d", v1::CRITICAL)},
                  kT0 + absl::Hours(24 * 17));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].severity(), v1::CRITICAL);
}

TEST(AlertBookTest, ClearedFindingResolves) {
  AlertBook book;
  book.Update({MakeFinding(v1::DISPUTE_RESPONSE_DUE, "d1", "24h"),
               MakeFinding(v1::DISPUTE_RESPONSE_DUE, "d2", "24h")},
              kT0);
  auto t = book.Update({MakeFinding(v1::DISPUTE_RESPONSE_DUE, "d2", "24h")},
                       kT0 + absl::Hours(2));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].state(), v1::RESOLVED);
  EXPECT_EQ(t[0].key().subject(), "d1");
  EXPECT_EQ(t[0].ends_at().seconds(),
            absl::ToUnixSeconds(kT0 + absl::Hours(2)));
  EXPECT_EQ(t[0].starts_at().seconds(), absl::ToUnixSeconds(kT0));
  ASSERT_EQ(book.active().size(), 1u);
  EXPECT_EQ(book.active()[0].key().subject(), "d2");

  t = book.Update({}, kT0 + absl::Hours(3));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_TRUE(book.empty());
}

TEST(AlertBookTest, TransitionsAreInKeyOrderAndDuplicateKeysCollapse) {
  AlertBook book;
  auto t = book.Update({MakeFinding(v1::UNPAID_FEES, "f2", "7d"),
                        MakeFinding(v1::INACTIVITY, "", "30d"),
                        MakeFinding(v1::UNPAID_FEES, "f1", "7d"),
                        MakeFinding(v1::UNPAID_FEES, "f1", "other")},
                       kT0);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].key().kind(), v1::INACTIVITY);
  EXPECT_EQ(t[1].key().subject(), "f1");
  EXPECT_EQ(t[1].stage(), "7d");
  EXPECT_EQ(t[2].key().subject(), "f2");
  EXPECT_TRUE(book.HasFiring(v1::UNPAID_FEES));
  EXPECT_FALSE(book.HasFiring(v1::BALANCE_SHORT));
}

TEST(AlertBookTest, RestoreThenResolve) {
  AlertBook first;
  first.Update({MakeFinding(v1::BALANCE_SHORT, "", "now"),
                MakeFinding(v1::ACCOUNT_MISMATCH, "", "now")},
               kT0);
  std::vector<v1::Alert> saved(first.active().rbegin(), first.active().rend());
  AlertBook second;
  second.Restore(saved);
  auto t = second.Update({MakeFinding(v1::BALANCE_SHORT, "", "now")},
                         kT0 + absl::Minutes(5));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].key().kind(), v1::ACCOUNT_MISMATCH);
  EXPECT_EQ(t[0].state(), v1::RESOLVED);
}

}  // namespace
}  // namespace depositd::notifier
