#include "watchers/readiness_rules.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/currency.h"

namespace depositd::watchers {
namespace {

constexpr int kMaxEvidenceIds = 20;

void AddAmounts(const CurrencyAmounts& amounts, v1::Blocker* b) {
  for (const auto& [cur, v] : amounts) {
    v1::Money* m = b->add_amounts();
    m->set_currency(cur);
    m->set_minor_units(v);
  }
}

std::string AmountsText(const CurrencyAmounts& amounts) {
  std::vector<std::string> parts;
  for (const auto& [cur, v] : amounts)
    parts.push_back(common::FormatMoney(v, cur));
  return absl::StrJoin(parts, " + ");
}

template <typename Range>
void AddIds(const Range& ids, int64_t count, v1::Blocker* b) {
  int n = 0;
  for (const auto& id : ids) {
    if (n == kMaxEvidenceIds) break;
    b->add_ids(std::string(id));
    ++n;
  }
  b->set_count(count);
  b->set_ids_truncated(count > n);
}

}  // namespace

std::string TimeText(absl::Time t, const ResolvedProfile& profile) {
  const absl::TimeZone zone =
      profile.calendar ? profile.calendar->zone() : absl::UTCTimeZone();
  return absl::FormatTime("%Y-%m-%d %H:%M %Ez", t, zone);
}

RuleContext MakeRuleContext(const ShopStateInternals& in,
                            const ResolvedProfile& profile, absl::Time as_of) {
  RuleContext c{in, profile, as_of, GetClosureFacts(in), std::string()};
  const int grace_days = profile.settings.post_closure_dispute_grace_days();
  if (c.closure.closed_at != 0) {
    if (grace_days > 0) {
      // domain.md §3: a grace period ends; once passed the blocker says so.
      const absl::Time grace_end = PostClosureGraceEnd(c.closure, profile);
      c.grace_note =
          as_of < grace_end
              ? absl::StrCat("; the platform allows finishing it until ",
                             TimeText(grace_end, profile))
              : absl::StrCat("; the ", grace_days,
                             "-day post-closure grace ended ",
                             TimeText(grace_end, profile),
                             ": the refund may be rejected");
    } else {
      c.grace_note = "; the platform requires this finished before closure";
    }
  }
  return c;
}

// R1: orders placed, shipped or in transit (counters and the in-flight
// index: O(1) plus the first ids).
void CheckR1OrdersInFlight(const RuleContext& c, v1::ReadinessReport* r) {
  const ShopStateInternals& in = c.in;
  const std::string& grace_note = c.grace_note;
  const OrderBook& book = in.orders;
  const int64_t placed = book.count_by_status[v1::PLACED];
  const int64_t shipped = book.count_by_status[v1::SHIPPED];
  const int64_t transit = book.count_by_status[v1::IN_TRANSIT];
  if (placed + shipped + transit > 0) {
    v1::Blocker* b = r->add_blockers();
    b->set_condition(v1::R1_ORDERS_IN_FLIGHT);
    std::vector<absl::string_view> ids;
    for (const OrderKey& k : book.in_flight) {
      if (ids.size() == kMaxEvidenceIds) break;
      ids.push_back(book.id(k.slot));
    }
    AddIds(ids, placed + shipped + transit, b);
    b->set_summary(absl::StrCat(placed + shipped + transit,
                                " orders not finished: ", placed,
                                " unshipped, ", shipped, " shipped, ", transit,
                                " in transit", grace_note));
    b->set_action(
        "Ship, deliver or cancel these orders and wait for delivery; their "
        "status events clear this.");
  }
}

// R2: delivered orders inside their return window at as_of (walks the k
// windows still open from the latest: O(k)); clears by itself.
void CheckR2ReturnWindowsOpen(const RuleContext& c, v1::ReadinessReport* r) {
  const ShopStateInternals& in = c.in;
  const OrderBook& book = in.orders;
  const v1::PlatformProfile& p = c.profile.settings;
  const ResolvedProfile& profile = c.profile;
  const absl::Time as_of = c.as_of;
  if (p.return_window_days() > 0 && !book.delivered.empty()) {
    const int64_t window_s = int64_t{p.return_window_days()} * 86400;
    const int64_t as_of_s = absl::ToUnixSeconds(as_of);
    int64_t count = 0;
    int64_t latest_end = 0;
    std::vector<absl::string_view> ids;
    for (auto it = book.delivered.rbegin(); it != book.delivered.rend(); ++it) {
      const int64_t end = it->at_s + window_s;
      if (end <= as_of_s) break;
      if (count == 0) latest_end = end;
      if (ids.size() < kMaxEvidenceIds) ids.push_back(book.id(it->slot));
      ++count;
    }
    if (count > 0) {
      v1::Blocker* b = r->add_blockers();
      b->set_condition(v1::R2_RETURN_WINDOWS_OPEN);
      AddIds(ids, count, b);
      SetTime(absl::FromUnixSeconds(latest_end), b->mutable_clears_at());
      b->set_summary(absl::StrCat(
          count, " delivered orders inside their ", p.return_window_days(),
          "-day return window; the last one ends ",
          TimeText(absl::FromUnixSeconds(latest_end), profile)));
      b->set_action(
          "Nothing to do: this clears by itself when the windows end.");
    }
  }
}

// R3: disputes opened and not resolved, with their amounts.
void CheckR3OpenDisputes(const RuleContext& c, v1::ReadinessReport* r) {
  const ShopStateInternals& in = c.in;
  const std::string& grace_note = c.grace_note;
  int64_t count = 0;
  std::vector<std::string> ids;
  CurrencyAmounts amounts;
  bool complaint = false;
  for (const auto& [id, d] : in.disputes) {
    if (!DisputeOpen(d)) continue;
    ++count;
    if (ids.size() < kMaxEvidenceIds) ids.push_back(id);
    if (d.has_amount() && d.amount().minor_units() > 0) {
      int64_t& v = amounts[d.amount().currency()];
      v = MoneyAdd(v, d.amount().minor_units());
    }
    complaint |= d.kind() == v1::COMPLAINT;
  }
  if (count > 0) {
    v1::Blocker* b = r->add_blockers();
    b->set_condition(v1::R3_OPEN_DISPUTES);
    AddIds(ids, count, b);
    AddAmounts(amounts, b);
    b->set_summary(absl::StrCat(
        count, " open disputes, claims or after-sales requests", grace_note));
    b->set_action(
        "Respond to and settle each open dispute; a DisputeResolved event "
        "clears it.");
  }
}

// R4: fees charged and not paid or waived, with what is outstanding.
void CheckR4UnpaidFees(const RuleContext& c, v1::ReadinessReport* r) {
  const ShopStateInternals& in = c.in;
  int64_t count = 0;
  std::vector<std::string> ids;
  CurrencyAmounts amounts;
  for (const auto& [id, f] : in.fees) {
    const int64_t owed = FeeOutstanding(f);
    if (owed <= 0) continue;
    ++count;
    if (ids.size() < kMaxEvidenceIds) ids.push_back(id);
    int64_t& v = amounts[f.currency()];
    v = MoneyAdd(v, owed);
  }
  if (count > 0) {
    v1::Blocker* b = r->add_blockers();
    b->set_condition(v1::R4_UNPAID_FEES);
    AddIds(ids, count, b);
    AddAmounts(amounts, b);
    b->set_summary(absl::StrCat(count, " unpaid fees: ", AmountsText(amounts)));
    b->set_action(
        "Pay the fees (fines, service fees, ads, logistics, order refunds).");
  }
}

// R5: violations recorded and not resolved, and a frozen deposit without
// a rectification statement.
void CheckR5PendingViolations(const RuleContext& c, v1::ReadinessReport* r) {
  const ShopStateInternals& in = c.in;
  int64_t count = 0;
  std::vector<std::string> ids;
  for (const auto& [id, v] : in.violations) {
    if (v.recorded() && v.resolved_at() == 0) {
      ++count;
      if (ids.size() < kMaxEvidenceIds) ids.push_back(id);
    }
  }
  const bool frozen = in.frozen_at > in.unfrozen_at;
  bool rectified = false;
  if (frozen) {
    auto it = in.violations.find(in.freeze_violation_id);
    rectified = it != in.violations.end() && it->second.rectified_at() != 0;
    if (in.freeze_violation_id.empty()) {
      for (const auto& [id, v] : in.violations)
        rectified |= v.rectified_at() != 0;
    }
  }
  const bool freeze_blocks = frozen && !rectified;
  if (count > 0 || freeze_blocks) {
    v1::Blocker* b = r->add_blockers();
    b->set_condition(v1::R5_PENDING_VIOLATIONS);
    if (freeze_blocks && ids.size() < kMaxEvidenceIds) {
      ids.push_back(in.freeze_violation_id.empty() ? "deposit-frozen"
                                                   : in.freeze_violation_id);
    }
    AddIds(ids, count + (freeze_blocks ? 1 : 0), b);
    std::string summary = absl::StrCat(count, " pending violations");
    if (freeze_blocks) {
      absl::StrAppend(
          &summary,
          "; the deposit is frozen without a rectification statement");
    }
    b->set_summary(summary);
    b->set_action(
        "Resolve the violations; for a frozen deposit file a rectification "
        "statement (RectificationFiled).");
  }
}

// R6: the balance before refunds short of the requirement (Required) in
// some currency.
void CheckR6BalanceShort(const RuleContext& c, v1::ReadinessReport* r) {
  const ShopStateInternals& in = c.in;
  const v1::PlatformProfile& p = c.profile.settings;
  const CurrencyAmounts balance = Balance(in, /*after_refunds=*/false);
  CurrencyAmounts shortfall;
  for (const auto& [cur, need] : Required(in, p)) {
    auto it = balance.find(cur);
    const int64_t have = it == balance.end() ? 0 : it->second;
    if (have < need) shortfall[cur] = MoneySub(need, have);
  }
  if (!shortfall.empty()) {
    v1::Blocker* b = r->add_blockers();
    b->set_condition(v1::R6_BALANCE_SHORT);
    b->set_count(static_cast<int64_t>(shortfall.size()));
    AddAmounts(shortfall, b);
    b->set_summary(
        absl::StrCat("deposit balance is short by ", AmountsText(shortfall)));
    b->set_action("Top up the deposit to the required amount.");
  }
}

// R7: the shop not closed yet, or closed and inside its waiting period
// (which clears by itself).
void CheckR7WaitingPeriod(const RuleContext& c, v1::ReadinessReport* r) {
  const v1::PlatformProfile& p = c.profile.settings;
  const ResolvedProfile& profile = c.profile;
  const absl::Time as_of = c.as_of;
  const ClosureFacts& closure = c.closure;
  if (closure.closed_at == 0) {
    v1::Blocker* b = r->add_blockers();
    b->set_condition(v1::R7_WAITING_PERIOD);
    b->set_count(1);
    b->set_summary(
        closure.requested_at != 0
            ? absl::StrCat("closure requested ",
                           TimeText(NanosToTime(closure.requested_at), profile),
                           "; the platform has not closed the shop yet")
            : "the shop is not closed");
    b->set_action(absl::StrCat(
        closure.requested_at != 0 ? "Wait for or chase the platform's closure"
                                  : "Request closure",
        p.closure_waiting_days() > 0
            ? absl::StrCat(
                  "; a ", p.closure_waiting_days(),
                  "-day waiting period starts when the shop is closed.")
            : "."));
  } else if (p.closure_waiting_days() > 0) {
    const absl::Time end = profile.calendar->AddNaturalDays(
        NanosToTime(closure.closed_at), p.closure_waiting_days());
    if (end > as_of) {
      v1::Blocker* b = r->add_blockers();
      b->set_condition(v1::R7_WAITING_PERIOD);
      b->set_count(1);
      SetTime(end, b->mutable_clears_at());
      b->set_summary(absl::StrCat(
          "closed ", TimeText(NanosToTime(closure.closed_at), profile),
          "; the ", p.closure_waiting_days(), "-day waiting period ends ",
          TimeText(end, profile)));
      b->set_action("Nothing to do: this clears by itself.");
    }
  }
}

// R8: deposit payments not on the refund account's path (channel, account,
// currency), or no refund account at all.
void CheckR8RefundAccount(const RuleContext& c, v1::ReadinessReport* r) {
  const ShopStateInternals& in = c.in;
  if (!in.payments.empty()) {
    const std::vector<std::string> bad = AccountMismatches(in);
    if (!bad.empty()) {
      v1::Blocker* b = r->add_blockers();
      b->set_condition(v1::R8_REFUND_ACCOUNT);
      AddIds(bad, static_cast<int64_t>(bad.size()), b);
      if (in.refund_account_set_at == 0) {
        b->set_summary("no refund account on file");
        b->set_action(
            "Set the refund account to the paying channel, account and "
            "currency "
            "of the deposit (refunds go back by the original path).");
      } else {
        b->set_summary(absl::StrCat(
            bad.size(), " deposit payments differ from the refund account ",
            in.refund_channel, "/", in.refund_account, " ",
            in.refund_currency));
        b->set_action(
            "Change the refund account to the channel, account and currency "
            "the "
            "deposit was paid from.");
      }
    }
  }
}

// R9: reported health metrics beyond the profile's thresholds (only
// thresholds that are set and metrics that were reported).
void CheckR9HealthMetrics(const RuleContext& c, v1::ReadinessReport* r) {
  const ShopStateInternals& in = c.in;
  const v1::PlatformProfile& p = c.profile.settings;
  const v1::HealthThresholds& h = p.health();
  std::vector<std::string> ids;
  std::vector<std::string> parts;
  auto check = [&](const char* name, bool has_threshold, double threshold,
                   bool minimum) {
    if (!has_threshold) return;
    auto it = in.metrics.find(name);
    if (it == in.metrics.end()) return;
    const double v = it->second.first;
    if (minimum ? v < threshold : v > threshold) {
      ids.push_back(name);
      parts.push_back(absl::StrFormat("%s %.2f %s %.2f", name, v,
                                      minimum ? "<" : ">", threshold));
    }
  };
  check("fulfilment_rate_pct", h.has_min_fulfilment_rate_pct(),
        h.min_fulfilment_rate_pct(), true);
  check("return_rate_pct", h.has_max_return_rate_pct(), h.max_return_rate_pct(),
        false);
  check("dsr", h.has_min_dsr(), h.min_dsr(), true);
  if (!ids.empty()) {
    v1::Blocker* b = r->add_blockers();
    b->set_condition(v1::R9_HEALTH_METRICS);
    AddIds(ids, static_cast<int64_t>(ids.size()), b);
    b->set_summary(
        absl::StrCat("health below thresholds: ", absl::StrJoin(parts, ", ")));
    b->set_action(
        "Improve the metrics until the platform reports them within "
        "thresholds.");
  }
}

// R10: a discount's clawback owed because the closure came before its
// discount_clawback_until and ClawbackPaid does not cover it.
void CheckR10DiscountClawback(const RuleContext& c, v1::ReadinessReport* r) {
  const ShopStateInternals& in = c.in;
  const ClosureFacts& closure = c.closure;
  {
    const CurrencyAmounts owed = ClawbackOwed(in);
    if (!owed.empty()) {
      v1::Blocker* b = r->add_blockers();
      b->set_condition(v1::R10_DISCOUNT_CLAWBACK);
      std::vector<std::string> ids;
      const int64_t closure_start = closure.closure_start();
      for (const auto& [id, pay] : in.payments) {
        if (pay.discount() > 0 && pay.clawback_until() > closure_start)
          ids.push_back(id);
      }
      AddIds(ids, static_cast<int64_t>(ids.size()), b);
      AddAmounts(owed, b);
      b->set_summary(
          absl::StrCat("discount clawback owed: ", AmountsText(owed)));
      b->set_action("Pay back the deposit discount (ClawbackPaid).");
    }
  }
}

}  // namespace depositd::watchers
