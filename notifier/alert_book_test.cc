#include "notifier/alert_book.h"

#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "notifier/finding_text.h"
#include "watchers/risk_watchers.h"
#include "watchers/shop_state.h"
#include "watchers/test_events.h"

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

// Unchanged findings (same keys, stages, severities and content, nothing
// due to repeat) leave the book exactly as last written, whatever order they
// come in; new text is an UPDATED transition (not a page); a repeat then
// pages the text it has now.
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
  // Same stages, new text: the two that changed are UPDATED, not repeated,
  // and their repeat interval still runs from the page at kT0.
  auto t = book.Update(
      {with_text(first[0], "31 days"), first[1], with_text(first[2], "8 days")},
      kT0 + absl::Hours(1), &every4h);
  ASSERT_EQ(t.size(), 2u);
  for (const v1::Alert& a : t) {
    EXPECT_EQ(a.change(), v1::UPDATED);
    EXPECT_FALSE(a.repeat());
    EXPECT_EQ(a.last_paged_at().seconds(), absl::ToUnixSeconds(kT0));
  }
  EXPECT_EQ(t[0].summary(), "31 days");
  EXPECT_EQ(t[1].summary(), "8 days");
  EXPECT_EQ(book.active()[0].summary(), "31 days");
  EXPECT_EQ(book.active()[1].SerializeAsString(), paged[1].SerializeAsString());
  EXPECT_EQ(book.NextRepeat(&every4h), kT0 + absl::Hours(4));
  // Due to repeat: each pages again, with the text it has now.
  t = book.Update({with_text(first[0], "34 days"), first[1], first[2]},
                  kT0 + absl::Hours(4), &every4h);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].change(), v1::REPEATED);
  EXPECT_EQ(t[0].summary(), "34 days");
  EXPECT_EQ(book.active()[0].summary(), "34 days");
  // One stage moves among unchanged ones: only that one escalates.
  t = book.Update(
      {with_text(first[0], "34 days"),
       MakeFinding(v1::BALANCE_SHORT, "USD", "short", v1::CRITICAL), first[2]},
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

// --- UPDATED: what a firing alert says changed, same stage and severity

// The CLOSURE_BLOCKED finding of a shop whose closure is blocked by the
// named blockers (evidence "R3_OPEN_DISPUTES" etc.), as the watcher words it.
v1::Finding ClosureBlocked(const std::map<std::string, std::string>& blockers) {
  v1::Finding f = MakeFinding(v1::CLOSURE_BLOCKED, "", "day1");
  std::string lines;
  for (const auto& [name, text] : blockers) {
    (*f.mutable_evidence())[name] = text;
    absl::StrAppend(&lines, lines.empty() ? "" : "; ", name, ": ", text);
  }
  (*f.mutable_evidence())["closure_requested_at"] = "2026-01-01";
  f.set_summary(absl::StrCat("closure requested but ", blockers.size(),
                             " conditions block the refund: ", lines));
  return f;
}

// Each part of what an alert says, changed alone at the same stage and
// severity, is an UPDATED transition carrying the new content.
TEST(AlertBookUpdateTest, EachChangedPartOfWhatItSaysIsUpdated) {
  struct Case {
    const char* name;
    std::function<void(v1::Finding*)> change;
  };
  const Case cases[] = {
      {"summary", [](v1::Finding* f) { f->set_summary("new summary"); }},
      {"action", [](v1::Finding* f) { f->set_action("new action"); }},
      {"due_at set",
       [](v1::Finding* f) { f->mutable_due_at()->set_seconds(1767312000); }},
      {"amount moved",
       [](v1::Finding* f) {
         f->mutable_amount_at_risk()->set_minor_units(2500);
         f->mutable_amount_at_risk()->set_currency("USD");
       }},
      {"evidence value",
       [](v1::Finding* f) {
         (*f->mutable_evidence())["R4_UNPAID_FEES"] = "2";
       }},
      {"evidence key gone",
       [](v1::Finding* f) { f->mutable_evidence()->erase("R4_UNPAID_FEES"); }},
      {"evidence key added",
       [](v1::Finding* f) { (*f->mutable_evidence())["R6_VIOLATIONS"] = "1"; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    AlertBook book;
    v1::Finding before = ClosureBlocked(
        {{"R3_OPEN_DISPUTES", "1 open dispute"}, {"R4_UNPAID_FEES", "1"}});
    before.mutable_amount_at_risk()->set_minor_units(3500);
    before.mutable_amount_at_risk()->set_currency("USD");
    ASSERT_EQ(book.Update({before}, kT0).size(), 1u);
    v1::Finding after = before;
    c.change(&after);
    const absl::Time later = kT0 + absl::Hours(2);
    auto t = book.Update({after}, later);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].change(), v1::UPDATED);
    EXPECT_EQ(t[0].state(), v1::FIRING);
    EXPECT_FALSE(t[0].repeat());
    EXPECT_EQ(t[0].stage(), "day1");
    EXPECT_EQ(t[0].at().seconds(), absl::ToUnixSeconds(later));
    EXPECT_EQ(t[0].starts_at().seconds(), absl::ToUnixSeconds(kT0));
    EXPECT_EQ(t[0].last_paged_at().seconds(), absl::ToUnixSeconds(kT0));
    EXPECT_EQ(t[0].summary(), after.summary());
    EXPECT_EQ(t[0].action(), after.action());
    EXPECT_EQ(t[0].due_at().seconds(), after.due_at().seconds());
    EXPECT_EQ(t[0].amount_at_risk().minor_units(),
              after.amount_at_risk().minor_units());
    using Evidence = std::map<std::string, std::string>;
    EXPECT_EQ(Evidence(t[0].evidence().begin(), t[0].evidence().end()),
              Evidence(after.evidence().begin(), after.evidence().end()));
    // The book holds the update: the same findings again write nothing.
    ASSERT_EQ(book.active().size(), 1u);
    EXPECT_EQ(book.active()[0].summary(), t[0].summary());
    EXPECT_EQ(book.active()[0].change(), v1::UPDATED);
    EXPECT_TRUE(book.Update({after}, later + absl::Hours(1)).empty());
  }
}

// domain.md §5: the unpaid fee of a closure-blocked shop is paid; the alert
// no longer says "R4" and is not paged again. The repeat interval still
// counts from the page, before and after the update, and after a restart
// from a checkpoint holding the UPDATED transition.
TEST(AlertBookUpdateTest, FeePaidUpdatesClosureBlockedWithoutAPage) {
  const RepeatPolicy every24h = [](const v1::Alert&) {
    return absl::Hours(24);
  };
  AlertBook book;
  ASSERT_EQ(book.Update({ClosureBlocked({{"R3_OPEN_DISPUTES", "1 open"},
                                         {"R4_UNPAID_FEES", "1 unpaid fee"}})},
                        kT0, &every24h)
                .size(),
            1u);
  const v1::Finding paid = ClosureBlocked({{"R3_OPEN_DISPUTES", "1 open"}});
  auto t = book.Update({paid}, kT0 + absl::Hours(5), &every24h);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::UPDATED);
  EXPECT_EQ(t[0].evidence().count("R4_UNPAID_FEES"), 0u);
  EXPECT_EQ(t[0].summary().find("R4"), std::string::npos) << t[0].summary();
  EXPECT_NE(t[0].summary().find("1 conditions"), std::string::npos);
  // Not a page: the next repeat is still 24 h after the page at kT0.
  EXPECT_EQ(book.NextRepeat(&every24h), kT0 + absl::Hours(24));
  AlertBook restored;
  restored.Restore(book.active());
  EXPECT_EQ(restored.NextRepeat(&every24h), kT0 + absl::Hours(24));
  for (AlertBook* b : {&book, &restored}) {
    EXPECT_TRUE(
        b->Update({paid}, kT0 + absl::Hours(24) - absl::Seconds(1), &every24h)
            .empty());
    t = b->Update({paid}, kT0 + absl::Hours(24), &every24h);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].change(), v1::REPEATED);
    EXPECT_TRUE(t[0].repeat());
    EXPECT_FALSE(t[0].has_last_paged_at());  // a page: `at` is the page
    EXPECT_EQ(t[0].evidence().count("R4_UNPAID_FEES"), 0u);
    EXPECT_EQ(b->NextRepeat(&every24h), kT0 + absl::Hours(48));
  }
}

// An update keeps the acknowledgement (no repeats), and an acknowledged
// alert is still updated; a later escalation pages with the new content.
TEST(AlertBookUpdateTest, AcknowledgedAlertIsStillUpdatedAndStaysAcknowledged) {
  const RepeatPolicy every1h = [](const v1::Alert&) { return absl::Hours(1); };
  AlertBook book;
  book.Update({MakeFinding(v1::UNPAID_FEES, "f-1", "7d")}, kT0, &every1h);
  auto ack = book.Acknowledge(book.active()[0].key(), "alice",
                              kT0 + absl::Minutes(10));
  ASSERT_TRUE(ack.ok() && ack->has_value());
  EXPECT_EQ((*ack)->last_paged_at().seconds(), absl::ToUnixSeconds(kT0));
  v1::Finding f = MakeFinding(v1::UNPAID_FEES, "f-1", "7d");
  f.set_summary("fee f-1 USD 20.00 unpaid 9 days");
  auto t = book.Update({f}, kT0 + absl::Hours(30), &every1h);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::UPDATED);
  EXPECT_TRUE(t[0].acknowledged());
  EXPECT_EQ(t[0].acknowledged_by(), "alice");
  EXPECT_EQ(t[0].last_paged_at().seconds(), absl::ToUnixSeconds(kT0));
  EXPECT_EQ(book.NextRepeat(&every1h), absl::InfiniteFuture());
  f.set_stage("14d");
  t = book.Update({f}, kT0 + absl::Hours(31), &every1h);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::ESCALATED);
  EXPECT_EQ(t[0].summary(), "fee f-1 USD 20.00 unpaid 9 days");
}

// Alerts checkpointed before UPDATED existed have no last_paged_at: they
// repeat from `at` (their last page), as before.
TEST(AlertBookUpdateTest, OlderCheckpointWithoutLastPagedAtRepeatsFromAt) {
  const RepeatPolicy every4h = [](const v1::Alert&) { return absl::Hours(4); };
  v1::Alert old;
  *old.mutable_key() = MakeFinding(v1::INACTIVITY, "", "30d").key();
  old.set_state(v1::FIRING);
  old.set_severity(v1::WARNING);
  old.set_stage("30d");
  old.set_summary("summary 30d");
  old.mutable_at()->set_seconds(absl::ToUnixSeconds(kT0));
  old.mutable_starts_at()->set_seconds(absl::ToUnixSeconds(kT0));
  AlertBook book;
  book.Restore({old});
  EXPECT_EQ(book.NextRepeat(&every4h), kT0 + absl::Hours(4));
  EXPECT_TRUE(book.Update({MakeFinding(v1::INACTIVITY, "", "30d")},
                          kT0 + absl::Hours(1), &every4h)
                  .empty());
  v1::Finding f = MakeFinding(v1::INACTIVITY, "", "30d");
  f.set_summary("summary 30d, 31 days");
  auto t = book.Update({f}, kT0 + absl::Hours(2), &every4h);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].change(), v1::UPDATED);
  EXPECT_EQ(t[0].last_paged_at().seconds(), absl::ToUnixSeconds(kT0));
  EXPECT_EQ(book.NextRepeat(&every4h), kT0 + absl::Hours(4));
}

// What an alert says, without what tells two histories apart (at, change,
// repeat, last_paged_at) and with evidence in a canonical order.
std::string WhatItSays(const v1::Alert& a) {
  v1::Alert copy = a;
  copy.clear_at();
  copy.clear_change();
  copy.clear_repeat();
  copy.clear_last_paged_at();
  copy.clear_evidence();
  std::string out = copy.SerializeAsString();
  const std::map<std::string, std::string> evidence(a.evidence().begin(),
                                                    a.evidence().end());
  for (const auto& [k, v] : evidence) absl::StrAppend(&out, k, "=", v, ";");
  return out;
}

// The alert log's last transition of each firing key, in key order.
std::vector<v1::Alert> LastFiring(const std::vector<v1::Alert>& log) {
  std::map<std::pair<int, std::string>, v1::Alert> last;
  for (const v1::Alert& a : log) {
    const std::pair<int, std::string> k(a.key().kind(), a.key().subject());
    if (a.state() == v1::FIRING) {
      last[k] = a;
    } else {
      last.erase(k);
    }
  }
  std::vector<v1::Alert> out;
  for (auto& [k, a] : last) out.push_back(std::move(a));
  return out;
}

// Live processing and replay, whatever the grouping: a closure-blocked shop
// (disputes open, fees unpaid) gets blockers cleared and one added by a
// random tail of events, applied to the real shop state and watchers in
// random groups, the shop checked after each group as the shard does (at the
// group's processing time; the last group at the same moment in every run).
// The alerts firing at the end say the same as when the whole tail is one
// group, the alert log's last transition of each key is that alert, and a
// book restored from a checkpoint (its alerts serialized and parsed) after
// any group ends the same.
TEST(AlertBookPropertyTest, GroupingOfEventsDoesNotChangeWhatAlertsSay) {
  using watchers::testing::At;
  auto registry = watchers::testing::BuiltIns();
  const watchers::ResolvedProfile* profile =
      *registry->Resolve("t1", "s1", "generic");
  const watchers::RiskWatchers watchers;
  const RepeatPolicy every6h = [](const v1::Alert&) { return absl::Hours(6); };
  const absl::Time end = At(2026, 3, 1, 12);
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    watchers::testing::Events ev;
    // "fee-new" stays unpaid, so CLOSURE_BLOCKED never clears: no alert
    // clears and comes back (which would give it a new starts_at).
    std::vector<v1::Event> head = {
        ev.Registered(At(2026, 1, 1), "generic"),
        ev.Paid(At(2026, 1, 1), "p1", 100000, "USD"),
        ev.ClosureRequested(At(2026, 2, 1)),
        ev.FeeCharged(At(2026, 1, 20), "fee-new", v1::ADS_SETTLEMENT, 777,
                      "USD"),
    };
    std::vector<v1::Event> tail = {
        ev.DisputeOpened(At(2026, 2, 25), "d-new", v1::NOT_RECEIVED)};
    for (int i = 0; i < 3; ++i) {
      const std::string fee = absl::StrCat("fee-", i);
      const std::string dispute = absl::StrCat("d-", i);
      head.push_back(ev.FeeCharged(At(2026, 1, 5 + i), fee,
                                   v1::TECHNICAL_SERVICE, 1000 + i, "USD"));
      head.push_back(
          ev.DisputeOpened(At(2026, 1, 10 + i), dispute, v1::NOT_RECEIVED));
      if (rng() % 2) {
        tail.push_back(ev.FeePaid(At(2026, 2, 20), fee, 1000 + i, "USD"));
      }
      if (rng() % 2) {
        tail.push_back(ev.DisputeResolved(At(2026, 2, 21), dispute));
      }
    }
    std::shuffle(tail.begin(), tail.end(), rng);

    // The head in one group two days before `end`, then the tail in groups
    // of `sizes`, group g at end - (groups - 1 - g) hours; after group
    // `restore_after` the book restarts from a checkpoint.
    auto run = [&](const std::vector<size_t>& sizes, size_t restore_after,
                   AlertBook* book, std::vector<v1::Alert>* log) {
      watchers::ShopState shop("t1", "s1");
      auto check = [&](absl::Time now) {
        watchers::WatchResult r = watchers.CheckAll(shop, *profile, now);
        // Worded as the daemon does, so a change of words updates too.
        WordFindings(WordingFor(*profile, now), &r.findings);
        for (v1::Alert& a : book->Update(std::move(r.findings), now, &every6h))
          log->push_back(std::move(a));
      };
      for (const v1::Event& e : head) ASSERT_TRUE(shop.Apply(e, *profile).ok());
      check(end - absl::Hours(48));
      size_t next = 0;
      for (size_t g = 0; g < sizes.size(); ++g) {
        for (size_t k = 0; k < sizes[g]; ++k) {
          ASSERT_TRUE(shop.Apply(tail[next++], *profile).ok());
        }
        check(end - absl::Hours(static_cast<int64_t>(sizes.size() - 1 - g)));
        if (g == restore_after) {
          std::vector<v1::Alert> checkpoint;
          for (const v1::Alert& a : book->active()) {
            checkpoint.emplace_back();
            ASSERT_TRUE(
                checkpoint.back().ParseFromString(a.SerializeAsString()));
          }
          *book = AlertBook();
          book->Restore(std::move(checkpoint));
        }
      }
    };
    AlertBook one_book;
    std::vector<v1::Alert> one_log;
    run({tail.size()}, 1, &one_book, &one_log);
    ASSERT_FALSE(one_book.empty());
    std::vector<std::string> want;
    for (const v1::Alert& a : one_book.active()) want.push_back(WhatItSays(a));

    for (int round = 0; round < 4; ++round) {
      std::vector<size_t> sizes;
      for (size_t left = tail.size(); left > 0;) {
        const size_t n = 1 + rng() % left;
        sizes.push_back(n);
        left -= n;
      }
      AlertBook book;
      std::vector<v1::Alert> log;
      run(sizes, rng() % sizes.size(), &book, &log);
      std::vector<std::string> got;
      for (const v1::Alert& a : book.active()) got.push_back(WhatItSays(a));
      EXPECT_EQ(got, want) << "groups " << sizes.size();
      // The alert log says the same: its last transition of each key is the
      // alert as it is now.
      const std::vector<v1::Alert> last = LastFiring(log);
      ASSERT_EQ(last.size(), book.active().size());
      for (size_t i = 0; i < last.size(); ++i) {
        EXPECT_EQ(WhatItSays(last[i]), WhatItSays(book.active()[i]));
        EXPECT_EQ(last[i].change(), book.active()[i].change());
        EXPECT_EQ(last[i].at().seconds(), book.active()[i].at().seconds());
      }
      for (const v1::Alert& a : log) {
        if (a.change() == v1::UPDATED) EXPECT_FALSE(a.repeat());
      }
    }
  }
}

}  // namespace
}  // namespace depositd::notifier
