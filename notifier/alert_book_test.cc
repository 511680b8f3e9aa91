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

// --- lifecycle: change reasons, repeats, acknowledgement

TEST(AlertBookLifecycleTest, ChangeSaysWhy) {
  AlertBook book;
  auto t = book.Update({MakeFinding(v1::INACTIVITY, "", "30d")}, kT0);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::OPENED);
  t = book.Update({MakeFinding(v1::INACTIVITY, "", "14d")},
                  kT0 + absl::Hours(1));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::ESCALATED);
  EXPECT_FALSE(t[0].repeat());
  t = book.Update({}, kT0 + absl::Hours(2));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::CLEARED);
  EXPECT_EQ(t[0].state(), v1::RESOLVED);
}

TEST(AlertBookLifecycleTest, RepeatsAfterTheIntervalWhileUnacknowledged) {
  const RepeatPolicy every4h = [](const v1::Alert&) { return absl::Hours(4); };
  AlertBook book;
  book.Update({MakeFinding(v1::INACTIVITY, "", "30d")}, kT0, &every4h);
  EXPECT_EQ(book.NextRepeat(&every4h), kT0 + absl::Hours(4));
  struct Case {
    absl::Duration after;
    bool repeats;
    absl::Time next_repeat;
  } cases[] = {
      {absl::Hours(1), false, kT0 + absl::Hours(4)},
      {absl::Hours(4) - absl::Seconds(1), false, kT0 + absl::Hours(4)},
      {absl::Hours(4), true, kT0 + absl::Hours(8)},  // paged again at 4h
      {absl::Hours(7), false, kT0 + absl::Hours(8)},
      {absl::Hours(9), true, kT0 + absl::Hours(13)},  // late check: from 9h
  };
  for (const Case& c : cases) {
    auto t = book.Update({MakeFinding(v1::INACTIVITY, "", "30d")},
                         kT0 + c.after, &every4h);
    ASSERT_EQ(t.size(), c.repeats ? 1u : 0u) << c.after;
    if (c.repeats) {
      EXPECT_EQ(t[0].change(), v1::REPEATED);
      EXPECT_TRUE(t[0].repeat());
      EXPECT_EQ(t[0].state(), v1::FIRING);
      EXPECT_EQ(t[0].starts_at().seconds(), absl::ToUnixSeconds(kT0));
      EXPECT_EQ(t[0].at().seconds(), absl::ToUnixSeconds(kT0 + c.after));
    }
    EXPECT_EQ(book.NextRepeat(&every4h), c.next_repeat) << c.after;
  }
  // No policy, or an infinite interval: never repeats.
  AlertBook quiet;
  const RepeatPolicy never = [](const v1::Alert&) {
    return absl::InfiniteDuration();
  };
  quiet.Update({MakeFinding(v1::INACTIVITY, "", "30d")}, kT0, &never);
  EXPECT_TRUE(quiet
                  .Update({MakeFinding(v1::INACTIVITY, "", "30d")},
                          kT0 + absl::Hours(1000), &never)
                  .empty());
  EXPECT_TRUE(quiet
                  .Update({MakeFinding(v1::INACTIVITY, "", "30d")},
                          kT0 + absl::Hours(2000))
                  .empty());
  EXPECT_EQ(quiet.NextRepeat(&never), absl::InfiniteFuture());
}

// Unchanged findings (same keys, stages and severities, nothing due to
// repeat) leave the book exactly as last paged, text included, whatever
// order they come in; a repeat then pages the new text.
TEST(AlertBookLifecycleTest, UnchangedFindingsKeepTheAlertsAsLastPaged) {
  const RepeatPolicy every4h = [](const v1::Alert&) { return absl::Hours(4); };
  AlertBook book;
  const std::vector<v1::Finding> first = {
      MakeFinding(v1::INACTIVITY, "", "30d"),
      MakeFinding(v1::BALANCE_SHORT, "USD", "short"),
      MakeFinding(v1::UNPAID_FEES, "f-1", "7d")};
  ASSERT_EQ(book.Update(first, kT0, &every4h).size(), 3u);
  const std::vector<v1::Alert> paged = book.active();
  struct Case {
    const char* name;
    std::vector<v1::Finding> findings;
    size_t transitions;
  };
  auto with_text = [](v1::Finding f, const std::string& text) {
    f.set_summary(text);
    return f;
  };
  const Case cases[] = {
      {"same, new text",
       {with_text(first[0], "31 days"), first[1],
        with_text(first[2], "8 days")},
       0},
      {"same, out of order", {first[2], first[0], first[1]}, 0},
      {"same, with a duplicate key",
       {first[0], first[1], first[1], first[2]},
       0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(book.Update(c.findings, kT0 + absl::Hours(1), &every4h).size(),
              c.transitions);
    ASSERT_EQ(book.active().size(), paged.size());
    for (size_t i = 0; i < paged.size(); ++i) {
      EXPECT_EQ(book.active()[i].SerializeAsString(),
                paged[i].SerializeAsString());
    }
  }
  // Due to repeat: each pages again, with the text it has now.
  auto t = book.Update({with_text(first[0], "34 days"), first[1], first[2]},
                       kT0 + absl::Hours(4), &every4h);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].change(), v1::REPEATED);
  EXPECT_EQ(t[0].summary(), "34 days");
  EXPECT_EQ(book.active()[0].summary(), "34 days");
  // One stage moves among unchanged ones: only that one escalates.
  t = book.Update(
      {first[0], MakeFinding(v1::BALANCE_SHORT, "USD", "short", v1::CRITICAL),
       first[2]},
      kT0 + absl::Hours(5), &every4h);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::ESCALATED);
  EXPECT_EQ(t[0].key().kind(), v1::BALANCE_SHORT);
}

TEST(AlertBookLifecycleTest, AcknowledgeStopsRepeatsNotEscalationOrResolution) {
  const RepeatPolicy every1h = [](const v1::Alert&) { return absl::Hours(1); };
  AlertBook book;
  book.Update({MakeFinding(v1::DISPUTE_RESPONSE_DUE, "d-1", "24h")}, kT0,
              &every1h);
  v1::AlertKey key = book.active()[0].key();

  auto ack = book.Acknowledge(key, "alice", kT0 + absl::Minutes(10));
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_TRUE(ack->has_value());
  EXPECT_EQ((*ack)->change(), v1::ACKNOWLEDGED);
  EXPECT_TRUE((*ack)->acknowledged());
  EXPECT_EQ((*ack)->acknowledged_by(), "alice");
  EXPECT_EQ((*ack)->state(), v1::FIRING);
  // Again: idempotent, no transition.
  auto again = book.Acknowledge(key, "bob", kT0 + absl::Minutes(11));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());

  EXPECT_EQ(book.NextRepeat(&every1h), absl::InfiniteFuture());
  EXPECT_TRUE(book.Update({MakeFinding(v1::DISPUTE_RESPONSE_DUE, "d-1", "24h")},
                          kT0 + absl::Hours(5), &every1h)
                  .empty());
  // Escalation still pages, and stays acknowledged.
  auto t = book.Update(
      {MakeFinding(v1::DISPUTE_RESPONSE_DUE, "d-1", "6h", v1::CRITICAL)},
      kT0 + absl::Hours(18), &every1h);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::ESCALATED);
  EXPECT_TRUE(t[0].acknowledged());
  EXPECT_EQ(t[0].acknowledged_by(), "alice");
  EXPECT_TRUE(book.Update({MakeFinding(v1::DISPUTE_RESPONSE_DUE, "d-1", "6h",
                                       v1::CRITICAL)},
                          kT0 + absl::Hours(20), &every1h)
                  .empty());
  // Resolution still comes.
  t = book.Update({}, kT0 + absl::Hours(21), &every1h);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].state(), v1::RESOLVED);
  // A new episode is not acknowledged, and repeats again.
  t = book.Update({MakeFinding(v1::DISPUTE_RESPONSE_DUE, "d-1", "24h")},
                  kT0 + absl::Hours(30), &every1h);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_FALSE(t[0].acknowledged());
  EXPECT_EQ(book.NextRepeat(&every1h), kT0 + absl::Hours(31));
}

TEST(AlertBookLifecycleTest, AcknowledgeUnknownKeyIsNotFound) {
  AlertBook book;
  book.Update({MakeFinding(v1::INACTIVITY, "", "30d")}, kT0);
  v1::AlertKey key;
  key.set_tenant("t1");
  key.set_shop_id("s1");
  key.set_kind(v1::BALANCE_SHORT);
  auto r = book.Acknowledge(key, "alice", kT0);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("BALANCE_SHORT"), std::string::npos);
}

TEST(AlertBookLifecycleTest, RestoredBookRepeatsFromLastPage) {
  const RepeatPolicy every4h = [](const v1::Alert&) { return absl::Hours(4); };
  AlertBook book;
  book.Update({MakeFinding(v1::INACTIVITY, "", "30d")}, kT0, &every4h);
  AlertBook restored;
  restored.Restore(book.active());
  EXPECT_EQ(restored.NextRepeat(&every4h), kT0 + absl::Hours(4));
  auto t = restored.Update({MakeFinding(v1::INACTIVITY, "", "30d")},
                           kT0 + absl::Hours(4), &every4h);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::REPEATED);
}

}  // namespace
}  // namespace depositd::notifier
