#include "watchers/risk_watchers.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/timestamps.h"
#include "watchers/evidence_keys.h"
#include "watchers/limits.h"
#include "watchers/projection.h"
#include "watchers/risk_view.h"

namespace depositd::watchers {
namespace {

// Whole `den` units in `num` (absl::IDivDuration needs a remainder out).
int64_t WholeUnits(absl::Duration num, absl::Duration den) {
  absl::Duration rem;
  return absl::IDivDuration(num, den, &rem);
}

// Lead-time staging shared by the deadline watchers: given a deadline and
// lead times (largest first), the stage reached at `now` is the smallest lead
// whose warning time has passed, or `crossed_name` once the deadline passed.
struct Stage {
  bool active = false;
  std::string name;
  v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
  absl::Time next_check = absl::InfiniteFuture();
};

// Severity rises as the deadline nears: a lead over 7 days is INFO, up to 7
// days WARNING, the last lead (and any lead under a day) and the deadline
// itself CRITICAL.
// `leads` as Leads() returns them: largest first, no repeats.
// Lead times, few: kept on the stack.
using LeadTimes = absl::InlinedVector<absl::Duration, 6>;

Stage StageFor(absl::Time deadline, const LeadTimes& leads, absl::Time now,
               const char* unit, absl::Duration unit_len,
               const char* crossed_name, bool keep_after_deadline) {
  Stage s;
  if (now >= deadline) {
    if (keep_after_deadline) {
      s.active = true;
      s.name = crossed_name;
      s.severity = v1::CRITICAL;
    }
    return s;
  }
  s.next_check = deadline;
  for (size_t i = 0; i < leads.size(); ++i) {
    const absl::Time warn_at = deadline - leads[i];
    if (now < warn_at) {
      s.next_check = warn_at;
      break;
    }
    s.active = true;
    s.name = absl::StrCat(WholeUnits(leads[i], unit_len), unit);
    const bool last = i + 1 == leads.size();
    s.severity = (last || leads[i] < absl::Hours(24)) ? v1::CRITICAL
                 : leads[i] <= absl::Hours(24 * 7)    ? v1::WARNING
                                                      : v1::INFO;
  }
  return s;
}

// The positive lead times, largest first, without repeats (StageFor's
// order).
LeadTimes Leads(const google::protobuf::RepeatedField<int32_t>& values,
                absl::Duration unit) {
  LeadTimes out;
  for (int v : values) {
    if (v > 0) out.push_back(v * unit);
  }
  std::sort(out.begin(), out.end(), std::greater<absl::Duration>());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string TimeText(absl::Time t, const ResolvedProfile& profile) {
  const absl::TimeZone zone =
      profile.calendar ? profile.calendar->zone() : absl::UTCTimeZone();
  return absl::FormatTime("%Y-%m-%d %H:%M %Ez", t, zone);
}

v1::Finding* NewFinding(const ShopState& shop, v1::AlertKind kind,
                        absl::string_view subject, WatchResult* out) {
  out->findings.emplace_back();
  v1::Finding* f = &out->findings.back();
  f->mutable_key()->set_tenant(shop.tenant());
  f->mutable_key()->set_shop_id(shop.shop_id());
  f->mutable_key()->set_kind(kind);
  f->mutable_key()->set_subject(std::string(subject));
  return f;
}

void Lower(absl::Time t, WatchResult* out) {
  out->next_check = std::min(out->next_check, t);
}

// The shop's balance when it is held in one currency (for "money at risk").
bool SingleBalance(const RiskView& in, int64_t* amount, std::string* currency) {
  const CurrencyAmounts b = in.balance(/*after_refunds=*/true);
  if (b.size() != 1) return false;
  *currency = b.begin()->first;
  *amount = b.begin()->second;
  return true;
}

// --- INACTIVITY
// --------------------------------------------------------------- Counts from
// the last sale (or registration when there was none) while the shop is
// operating; fires at each lead (30, 14, 7, 1 days before the limit) and stays
// "crossed" from the limit on until a sale restarts the count.
class InactivityWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::INACTIVITY; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    const v1::InactivityRule& rule = profile.settings.inactivity();
    if (rule.limit_days() <= 0) return;
    if (in.lifecycle() != v1::OPERATING) return;
    const int64_t from_ns =
        in.last_sale_at != 0 ? in.last_sale_at : in.registered_at;
    if (from_ns == 0) return;
    const absl::Time from = NanosToTime(from_ns);
    const absl::Time deadline = from + absl::Hours(24 * rule.limit_days());
    const LeadTimes leads = Leads(rule.lead_days(), absl::Hours(24));
    const Stage s =
        StageFor(deadline, leads, now, "d", absl::Hours(24), "crossed", true);
    Lower(s.next_check, out);
    if (!s.active) return;
    const int64_t days = WholeUnits(now - from, absl::Hours(24));
    v1::Finding* f = NewFinding(shop, kind(), "", out);
    f->set_severity(s.severity);
    f->set_stage(s.name);
    common::ToTimestamp(deadline, f->mutable_due_at());
    int64_t balance = 0;
    std::string currency;
    if (SingleBalance(in, &balance, &currency) && balance > 0) {
      // Split so that a balance near the int64 range cannot overflow.
      const int64_t risk = balance / 100 * rule.deduction_percent() +
                           balance % 100 * rule.deduction_percent() / 100;
      f->mutable_amount_at_risk()->set_minor_units(risk);
      f->mutable_amount_at_risk()->set_currency(currency);
    }
    (*f->mutable_evidence())[evidence::kDaysWithoutSale] = absl::StrCat(days);
    (*f->mutable_evidence())[evidence::kLimitDays] =
        absl::StrCat(rule.limit_days());
    (*f->mutable_evidence())[evidence::kDeductionPercent] =
        absl::StrCat(rule.deduction_percent());
    (*f->mutable_evidence())[evidence::kLastSaleAt] = TimeText(from, profile);
  }
};

// --- DISPUTE_RESPONSE_DUE
// ------------------------------------------------------- Each open, unanswered
// dispute with a response deadline (explicit, moved, or the profile default for
// its kind): 24 h and 6 h before, then "breached" until the seller responds or
// the dispute is resolved.
class DisputeResponseDueWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::DISPUTE_RESPONSE_DUE; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    if (in.open_items().awaiting_response.empty()) return;
    const LeadTimes leads =
        Leads(profile.settings.dispute_lead_hours(), absl::Hours(1));
    // Only open, unanswered disputes (kept by Apply), in id order.
    for (const auto& [id, deadline] : in.open_items().awaiting_response) {
      const int64_t due_ns = DisputeDueAt(deadline, profile.settings);
      if (due_ns == 0) continue;
      const absl::Time due = NanosToTime(due_ns);
      const Stage s =
          StageFor(due, leads, now, "h", absl::Hours(1), "breached", true);
      Lower(s.next_check, out);
      if (!s.active) continue;
      const store::v1::DisputeRecord& d = in.disputes.find(id)->second;
      v1::Finding* f = NewFinding(shop, kind(), id, out);
      f->set_severity(s.severity);
      f->set_stage(s.name);
      common::ToTimestamp(due, f->mutable_due_at());
      if (d.has_amount() && d.amount().minor_units() > 0) {
        *f->mutable_amount_at_risk() = d.amount();
      }
      const std::string kind_name =
          v1::DisputeKind_Name(static_cast<v1::DisputeKind>(d.kind()));
      (*f->mutable_evidence())[evidence::kDisputeId] = id;
      (*f->mutable_evidence())[evidence::kDisputeKind] = kind_name;
      (*f->mutable_evidence())[evidence::kResponseDueAt] =
          TimeText(due, profile);
      if (!d.order_id().empty())
        (*f->mutable_evidence())[evidence::kOrderId] = d.order_id();
    }
  }
};

// --- APPEAL_WINDOW_CLOSING
// ------------------------------------------------------- A deduction with no
// appeal filed or decided, whose appeal deadline (explicit or notice + profile
// window) is within a lead (3, 1 days). Clears when an appeal is filed or the
// window has closed.
class AppealWindowClosingWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::APPEAL_WINDOW_CLOSING; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    if (in.open_items().appealable.empty()) return;
    const LeadTimes leads =
        Leads(profile.settings.appeal_lead_days(), absl::Hours(24));
    // Only known deductions without an appeal (kept by Apply), in id order.
    for (const auto& [id, facts] : in.open_items().appealable) {
      const int64_t deadline_ns = AppealDeadline(facts, profile.settings);
      if (deadline_ns == 0) continue;
      const absl::Time deadline = NanosToTime(deadline_ns);
      const Stage s =
          StageFor(deadline, leads, now, "d", absl::Hours(24), "", false);
      Lower(s.next_check, out);
      if (!s.active) continue;
      const store::v1::DeductionRecord& d = in.deductions.find(id)->second;
      v1::Finding* f = NewFinding(shop, kind(), id, out);
      f->set_severity(s.severity);
      f->set_stage(s.name);
      common::ToTimestamp(deadline, f->mutable_due_at());
      f->mutable_amount_at_risk()->set_minor_units(d.amount());
      f->mutable_amount_at_risk()->set_currency(d.currency());
      (*f->mutable_evidence())[evidence::kDeductionId] = id;
      (*f->mutable_evidence())[evidence::kAmount] =
          common::FormatMoney(d.amount(), d.currency());
      (*f->mutable_evidence())[evidence::kReason] = d.reason();
      (*f->mutable_evidence())[evidence::kAppealDeadline] =
          TimeText(deadline, profile);
      if (d.counterfeit())
        (*f->mutable_evidence())[evidence::kCounterfeit] = "true";
    }
  }
};

// --- BALANCE_SHORT
// ------------------------------------------------------------------ One
// finding per currency whose balance (before refunds) is below the required
// deposit. At once; clears on a top-up.
class BalanceShortWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::BALANCE_SHORT; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    if (in.balance_covers_required(profile.settings)) return;  // the usual case
    const CurrencyAmounts balance = in.balance(/*after_refunds=*/false);
    for (const auto& [cur, need] : in.required(profile.settings)) {
      auto it = balance.find(cur);
      const int64_t have = it == balance.end() ? 0 : it->second;
      if (have >= need) continue;
      const int64_t shortfall = MoneySub(need, have);
      v1::Finding* f = NewFinding(shop, kind(), cur, out);
      f->set_severity(v1::WARNING);
      f->set_stage("short");
      f->mutable_amount_at_risk()->set_minor_units(shortfall);
      f->mutable_amount_at_risk()->set_currency(cur);
      const std::string have_text = common::FormatMoney(have, cur);
      const std::string need_text = common::FormatMoney(need, cur);
      const std::string shortfall_text = common::FormatMoney(shortfall, cur);
      (*f->mutable_evidence())[evidence::kBalance] = have_text;
      (*f->mutable_evidence())[evidence::kRequired] = need_text;
      (*f->mutable_evidence())[evidence::kShortfall] = shortfall_text;
    }
  }
};

// --- UNPAID_FEES
// ---------------------------------------------------------------------- One
// finding per fee still unpaid `unpaid_fee_age_days` after it was due.
class UnpaidFeesWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::UNPAID_FEES; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    const int age_days = profile.settings.unpaid_fee_age_days();
    // The fees with something outstanding, by due time (kept by Apply):
    // those at least `age_days` past due fire; the first that does not
    // gives the next check (every later one fires later). Findings in id
    // order.
    std::vector<const std::string*> firing;
    for (const auto& [due_ns, id] : in.open_items().unpaid_fees) {
      const absl::Time fire_at =
          NanosToTime(due_ns) + absl::Hours(24 * age_days);
      if (now < fire_at) {
        Lower(fire_at, out);
        break;
      }
      firing.push_back(&id);
    }
    std::sort(
        firing.begin(), firing.end(),
        [](const std::string* a, const std::string* b) { return *a < *b; });
    for (const std::string* id_ptr : firing) {
      const std::string& id = *id_ptr;
      const store::v1::FeeRecord& fee = in.fees.find(id)->second;
      const int64_t owed = FeeOutstanding(fee);
      const absl::Time due =
          NanosToTime(fee.due_at() != 0 ? fee.due_at() : fee.charged_at());
      const int64_t days = WholeUnits(now - due, absl::Hours(24));
      const std::string category =
          v1::FeeCategory_Name(static_cast<v1::FeeCategory>(fee.category()));
      v1::Finding* f = NewFinding(shop, kind(), id, out);
      f->set_severity(v1::WARNING);
      f->set_stage(absl::StrCat(age_days, "d"));
      common::ToTimestamp(due, f->mutable_due_at());
      f->mutable_amount_at_risk()->set_minor_units(owed);
      f->mutable_amount_at_risk()->set_currency(fee.currency());
      (*f->mutable_evidence())[evidence::kFeeId] = id;
      (*f->mutable_evidence())[evidence::kCategory] = category;
      (*f->mutable_evidence())[evidence::kOutstanding] =
          common::FormatMoney(owed, fee.currency());
      (*f->mutable_evidence())[evidence::kDaysOverdue] = absl::StrCat(days);
    }
  }
};

// --- METRIC_BELOW_THRESHOLD
// --------------------------------------------------------------- One finding
// per reported metric outside the profile's thresholds.
class MetricBelowThresholdWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::METRIC_BELOW_THRESHOLD; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    const v1::HealthThresholds& h = profile.settings.health();
    auto check = [&](const char* name, bool has, double threshold,
                     bool minimum) {
      if (!has) return;
      auto it = in.metrics.find(name);
      if (it == in.metrics.end()) return;
      const double v = it->second.first;
      if (minimum ? v >= threshold : v <= threshold) return;
      v1::Finding* f = NewFinding(shop, kind(), name, out);
      f->set_severity(v1::WARNING);
      f->set_stage("below");
      (*f->mutable_evidence())[evidence::kMetric] = name;
      (*f->mutable_evidence())[evidence::kValue] = absl::StrFormat("%.2f", v);
      (*f->mutable_evidence())[evidence::kThreshold] =
          absl::StrFormat("%.2f", threshold);
    };
    check("fulfilment_rate_pct", h.has_min_fulfilment_rate_pct(),
          h.min_fulfilment_rate_pct(), true);
    check("return_rate_pct", h.has_max_return_rate_pct(),
          h.max_return_rate_pct(), false);
    check("dsr", h.has_min_dsr(), h.min_dsr(), true);
  }
};

// --- CLOSURE_BLOCKED
// -------------------------------------------------------------------- After a
// closure request (or closure), blockers that need action (not the ones that
// clear by time, and not "the platform has not closed the shop yet") fire at
// once. The daily repeat is modelled as a stage per period: "day1", "day2", …
// every closure_blocked_repeat_hours after the request, so each period is a new
// transition and next_check is the next period start.
class ClosureBlockedWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::CLOSURE_BLOCKED; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    const v1::ShopLifecycle life = in.lifecycle();
    if (life != v1::CLOSURE_REQUESTED && life != v1::CLOSED &&
        life != v1::REFUND_APPLIED && life != v1::REFUND_REJECTED) {
      return;
    }
    const ClosureFacts cf = in.closure();
    const absl::Time start = NanosToTime(cf.closure_start());
    if (now < start) {
      Lower(start, out);
      return;
    }
    const v1::ReadinessReport report = shop.Evaluate(now, profile);
    int64_t count = 0;
    for (const v1::Blocker& b : report.blockers()) {
      if (b.has_clears_at() || b.condition() == v1::R7_WAITING_PERIOD) continue;
      ++count;
    }
    if (count == 0) return;
    // A post-closure grace (domain.md §3) with R1–R3 still blocking: the
    // alert escalates at each grace_lead_days lead and when the grace ends.
    bool grace_blockers = false;
    for (const v1::Blocker& b : report.blockers()) {
      grace_blockers |=
          !b.has_clears_at() && (b.condition() == v1::R1_ORDERS_IN_FLIGHT ||
                                 b.condition() == v1::R3_OPEN_DISPUTES);
    }
    const absl::Time grace_end = PostClosureGraceEnd(cf, profile);
    Stage grace;
    if (grace_blockers && grace_end != absl::InfiniteFuture()) {
      grace = StageFor(
          grace_end, Leads(profile.settings.grace_lead_days(), absl::Hours(24)),
          now, "d", absl::Hours(24), "passed",
          /*keep_after_deadline=*/true);
      Lower(grace.next_check, out);
    }
    v1::Finding* f = NewFinding(shop, kind(), "", out);
    // Severity values are ordered INFO < WARNING < CRITICAL.
    f->set_severity(grace.active ? std::max(v1::WARNING, grace.severity)
                                 : v1::WARNING);
    const int repeat_h = profile.settings.closure_blocked_repeat_hours();
    std::string stage;
    if (repeat_h > 0) {
      const int64_t period = WholeUnits(now - start, absl::Hours(repeat_h));
      // Saturates for `now` at infinity (IDivDuration gives INT64_MAX).
      const int64_t day =
          period < std::numeric_limits<int64_t>::max() ? period + 1 : period;
      stage = absl::StrCat("day", day);
      Lower(start + absl::Hours(repeat_h) * day, out);
    } else {
      stage = "blocked";
    }
    if (grace.active) absl::StrAppend(&stage, "-grace-", grace.name);
    f->set_stage(stage);
    if (grace_end != absl::InfiniteFuture() && grace_blockers) {
      common::ToTimestamp(grace_end, f->mutable_due_at());
      (*f->mutable_evidence())[evidence::kGraceEndsAt] =
          TimeText(grace_end, profile);
    }
    for (const v1::Blocker& b : report.blockers()) {
      if (b.has_clears_at() || b.condition() == v1::R7_WAITING_PERIOD) continue;
      const std::string name = v1::Condition_Name(b.condition());
      (*f->mutable_evidence())[name] = b.summary();
      // Structured, so that notifier/ words each blocker in the tenant's
      // language: how many things block, and the amounts involved.
      (*f->mutable_evidence())[name + evidence::kBlockerCountSuffix] =
          absl::StrCat(b.count());
      std::vector<std::string> amounts;
      for (const v1::Money& m : b.amounts()) {
        amounts.push_back(common::FormatMoney(m.minor_units(), m.currency()));
      }
      if (!amounts.empty()) {
        (*f->mutable_evidence())[name + evidence::kBlockerAmountsSuffix] =
            absl::StrJoin(amounts, ", ");
      }
    }
    (*f->mutable_evidence())[evidence::kClosureRequestedAt] =
        TimeText(start, profile);
  }
};

// --- REFUND_OVERDUE
// ----------------------------------------------------------------------- A
// refund applied for and not paid by the projected arrival (a fact of the
// shop, see ProjectRefund) plus refund_overdue_grace_days.
class RefundOverdueWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::REFUND_OVERDUE; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    if (in.lifecycle() != v1::REFUND_APPLIED) return;
    // The projection as a fact (domain.md §4 step 1). While blockers need an
    // action it is conditional and moves with `now`: nothing is overdue then
    // (CLOSURE_BLOCKED speaks), and the event that clears them rechecks.
    const v1::ReadinessReport report = shop.Evaluate(now, profile);
    if (!report.has_projection() || report.projection().conditional()) return;
    const v1::RefundProjection& p = report.projection();
    const absl::Time expected =
        absl::FromUnixSeconds(p.expected_paid_at().seconds()) +
        absl::Nanoseconds(p.expected_paid_at().nanos());
    const absl::Time overdue_at =
        expected +
        absl::Hours(24 * profile.settings.refund_overdue_grace_days());
    if (now < overdue_at) {
      Lower(overdue_at, out);
      return;
    }
    v1::Finding* f = NewFinding(shop, kind(), "", out);
    f->set_severity(v1::CRITICAL);
    f->set_stage("overdue");
    common::ToTimestamp(expected, f->mutable_due_at());
    int64_t amount = 0;
    std::string currency;
    if (SingleBalance(in, &amount, &currency) && amount > 0) {
      const CurrencyAmounts refundable = in.refundable();
      auto it = refundable.find(currency);
      f->mutable_amount_at_risk()->set_minor_units(
          it == refundable.end() ? 0 : it->second);
      f->mutable_amount_at_risk()->set_currency(currency);
    }
    (*f->mutable_evidence())[evidence::kExpectedPaidAt] =
        TimeText(expected, profile);
    (*f->mutable_evidence())[evidence::kProjection] =
        absl::StrJoin(p.steps(), "; ");
  }
};

// --- ACCOUNT_MISMATCH
// ------------------------------------------------------------------------ A
// refund account is on file and differs from a deposit payment's channel,
// account or currency (refunds go back by the original path only).
class AccountMismatchWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::ACCOUNT_MISMATCH; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    if (in.refund_account_set_at == 0) return;
    const std::vector<std::string> bad = in.account_mismatches();
    if (bad.empty()) return;
    v1::Finding* f = NewFinding(shop, kind(), "", out);
    f->set_severity(v1::WARNING);
    f->set_stage("mismatch");
    std::vector<std::string> paths;
    for (const std::string& id : bad) {
      const auto& p = in.payments.find(id)->second;
      paths.push_back(absl::StrCat(id, "=", p.channel(), "/", p.account(), " ",
                                   p.currency()));
    }
    (*f->mutable_evidence())[evidence::kRefundAccount] = absl::StrCat(
        in.refund_channel, "/", in.refund_account, " ", in.refund_currency);
    (*f->mutable_evidence())[evidence::kPayingAccounts] =
        absl::StrJoin(paths, ", ");
  }
};

// --- REOPEN_COOLING_OFF
// ------------------------------------------------------------------------- A
// reopen after a closure, or a registration of a shop whose legal entity closed
// another shop, inside the profile's cooling-off period. Fires at once and
// clears when the cooling-off period has passed.
class ReopenCoolingOffWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::REOPEN_COOLING_OFF; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    // Days, or calendar months in the calendar's zone (domain.md §5: "6
    // months" is not 180 days).
    const int days = profile.settings.reopen_cooling_off_days();
    const int months = profile.settings.reopen_cooling_off_months();
    if (days <= 0 && months <= 0) return;
    auto fire = [&](const char* subject, int64_t closed_ns,
                    int64_t attempt_ns) {
      const absl::Time closed = NanosToTime(closed_ns);
      const absl::Time attempt = NanosToTime(attempt_ns);
      const absl::Time end = months > 0
                                 ? profile.calendar->AddMonths(closed, months)
                                 : closed + absl::Hours(24 * days);
      if (attempt >= end || attempt < closed) return;
      if (now >= end) return;
      if (now < attempt) {
        Lower(attempt, out);
        return;
      }
      Lower(end, out);
      v1::Finding* f = NewFinding(shop, kind(), subject, out);
      f->set_severity(v1::WARNING);
      f->set_stage("inside");
      common::ToTimestamp(end, f->mutable_due_at());
      (*f->mutable_evidence())[evidence::kClosedAt] = TimeText(closed, profile);
      (*f->mutable_evidence())[evidence::kAttemptAt] =
          TimeText(attempt, profile);
      if (months > 0) {
        (*f->mutable_evidence())[evidence::kCoolingOffMonths] =
            absl::StrCat(months);
      } else {
        (*f->mutable_evidence())[evidence::kCoolingOffDays] =
            absl::StrCat(days);
      }
      if (!in.legal_entity_id.empty()) {
        (*f->mutable_evidence())[evidence::kLegalEntityId] = in.legal_entity_id;
      }
    };
    const ClosureFacts cf = in.closure();
    if (cf.reopened_at != 0 && cf.prior_closed_at != 0) {
      fire("reopen", cf.prior_closed_at, cf.reopened_at);
    }
    if (in.entity_last_closed_at != 0 && in.registered_at != 0) {
      fire("registration", in.entity_last_closed_at, in.registered_at);
    }
  }
};

// --- FEED_DEAUTHORIZED
// ---------------------------------------------------------------------------
// The integration's access to the shop's feed: revoked (the monitor is blind
// to this shop: CRITICAL at once) or expiring (INFO on notice, WARNING 7 days
// before, CRITICAL 1 day before and once expired). Cleared by AUTHORIZED.
class FeedAuthorizationWatcher final : public RiskWatcher {
 public:
  v1::AlertKind kind() const override { return v1::FEED_DEAUTHORIZED; }
  void Check(const ShopState& shop, const ResolvedProfile& profile,
             absl::Time now, WatchResult* out) const override {
    const RiskView in(shop);
    if (in.feed_state == v1::DEAUTHORIZED) {
      v1::Finding* f = NewFinding(shop, kind(), "", out);
      f->set_severity(v1::CRITICAL);
      f->set_stage("revoked");
      const absl::Time at = NanosToTime(in.feed_state_at);
      (*f->mutable_evidence())[evidence::kFeedState] = "DEAUTHORIZED";
      (*f->mutable_evidence())[evidence::kChangedAt] = TimeText(at, profile);
      return;
    }
    if (in.feed_state != v1::EXPIRING || in.feed_expires_at == 0) return;
    const absl::Time expires = NanosToTime(in.feed_expires_at);
    Stage st = StageFor(expires, {absl::Hours(24 * 7), absl::Hours(24)}, now,
                        "d", absl::Hours(24), "expired",
                        /*keep_after_deadline=*/true);
    if (!st.active) {  // notice received, more than 7 days ahead
      st.active = true;
      st.name = "notice";
      st.severity = v1::INFO;
    }
    Lower(st.next_check, out);
    v1::Finding* f = NewFinding(shop, kind(), "", out);
    f->set_severity(st.severity);
    f->set_stage(st.name);
    common::ToTimestamp(expires, f->mutable_due_at());
    (*f->mutable_evidence())[evidence::kFeedState] = "EXPIRING";
    (*f->mutable_evidence())[evidence::kExpiresAt] = TimeText(expires, profile);
  }
};

}  // namespace

WatchResult CheckFeedSilence(absl::string_view tenant, absl::Time last_heard,
                             absl::Duration silence, absl::Time now) {
  WatchResult out;
  if (silence <= absl::ZeroDuration() || last_heard == absl::InfinitePast()) {
    return out;
  }
  const absl::Time due = last_heard + silence;
  if (now < due) {
    out.next_check = due;
    return out;
  }
  out.findings.emplace_back();
  v1::Finding* f = &out.findings.back();
  f->mutable_key()->set_tenant(std::string(tenant));
  f->mutable_key()->set_kind(v1::FEED_SILENT);
  f->set_severity(v1::CRITICAL);
  f->set_stage("silent");
  common::ToTimestamp(due, f->mutable_due_at());
  const int64_t limit = WholeUnits(silence, absl::Minutes(1));
  (*f->mutable_evidence())[evidence::kLastEventAt] =
      absl::FormatTime("%Y-%m-%d %H:%M %Ez", last_heard, absl::UTCTimeZone());
  (*f->mutable_evidence())[evidence::kSilenceMinutes] = absl::StrCat(limit);
  return out;
}

RiskWatchers::RiskWatchers() {
  watchers_.push_back(std::make_unique<InactivityWatcher>());
  watchers_.push_back(std::make_unique<DisputeResponseDueWatcher>());
  watchers_.push_back(std::make_unique<AppealWindowClosingWatcher>());
  watchers_.push_back(std::make_unique<BalanceShortWatcher>());
  watchers_.push_back(std::make_unique<UnpaidFeesWatcher>());
  watchers_.push_back(std::make_unique<MetricBelowThresholdWatcher>());
  watchers_.push_back(std::make_unique<ClosureBlockedWatcher>());
  watchers_.push_back(std::make_unique<RefundOverdueWatcher>());
  watchers_.push_back(std::make_unique<AccountMismatchWatcher>());
  watchers_.push_back(std::make_unique<ReopenCoolingOffWatcher>());
  watchers_.push_back(std::make_unique<FeedAuthorizationWatcher>());
}

RiskWatchers::~RiskWatchers() = default;

WatchResult RiskWatchers::CheckAll(const ShopState& shop,
                                   const ResolvedProfile& profile,
                                   absl::Time now) const {
  WatchResult out;
  for (const auto& w : watchers_) w->Check(shop, profile, now, &out);
  return out;
}

std::unique_ptr<RiskWatcher> MakeRiskWatcher(v1::AlertKind kind) {
  switch (kind) {
    case v1::INACTIVITY:
      return std::make_unique<InactivityWatcher>();
    case v1::DISPUTE_RESPONSE_DUE:
      return std::make_unique<DisputeResponseDueWatcher>();
    case v1::APPEAL_WINDOW_CLOSING:
      return std::make_unique<AppealWindowClosingWatcher>();
    case v1::BALANCE_SHORT:
      return std::make_unique<BalanceShortWatcher>();
    case v1::UNPAID_FEES:
      return std::make_unique<UnpaidFeesWatcher>();
    case v1::METRIC_BELOW_THRESHOLD:
      return std::make_unique<MetricBelowThresholdWatcher>();
    case v1::CLOSURE_BLOCKED:
      return std::make_unique<ClosureBlockedWatcher>();
    case v1::REFUND_OVERDUE:
      return std::make_unique<RefundOverdueWatcher>();
    case v1::ACCOUNT_MISMATCH:
      return std::make_unique<AccountMismatchWatcher>();
    case v1::REOPEN_COOLING_OFF:
      return std::make_unique<ReopenCoolingOffWatcher>();
    case v1::FEED_DEAUTHORIZED:
      return std::make_unique<FeedAuthorizationWatcher>();
    default:
      return nullptr;
  }
}

}  // namespace depositd::watchers
