#include "watchers/projection.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/timestamps.h"

namespace depositd::watchers {
namespace {

std::string Days(const v1::DayCount& c) {
  return absl::StrCat(
      c.days(), c.counting() == v1::WORKING_DAYS ? " working" : " natural",
      c.days() == 1 ? " day" : " days");
}

}  // namespace

absl::Time NextBatchRun(absl::Time t, int day_of_month,
                        const absl::TimeZone& zone) {
  const absl::CivilSecond local = absl::ToCivilSecond(t, zone);
  if (local.day() == day_of_month) return t;
  absl::CivilMonth month(local);
  if (local.day() > day_of_month) ++month;
  const absl::CivilSecond run(month.year(), month.month(), day_of_month,
                              local.hour(), local.minute(), local.second());
  return zone.At(run).pre + (t - absl::FromCivil(local, zone));
}

v1::RefundProjection ProjectRefund(const ProjectionFacts& shop,
                                   const ResolvedProfile& profile,
                                   absl::Time as_of,
                                   bool action_blockers_remain) {
  const v1::PlatformProfile& p = profile.settings;
  const BusinessCalendar& cal = *profile.calendar;
  const absl::TimeZone& zone = cal.zone();
  auto text = [&](absl::Time t) {
    return absl::FormatTime("%Y-%m-%d %H:%M %Ez", t, zone);
  };
  v1::RefundProjection out;
  absl::Time ready = absl::FromUnixNanos(shop.last_blocker_cleared_at);
  std::string ready_why = "when the last blocker cleared (event time)";
  out.add_steps(
      absl::StrCat("the last blocker needing an action cleared ", text(ready)));
  if (action_blockers_remain) {
    out.set_conditional(true);
    out.add_steps(absl::StrCat(
        "blockers needing an action remain: conditional, as if they cleared "
        "at ",
        text(as_of)));
    if (as_of > ready) {
      ready = as_of;
      ready_why = "if the remaining blockers cleared now";
    }
  }
  if (shop.closed_at != 0) {
    const absl::Time closed = absl::FromUnixNanos(shop.closed_at);
    const absl::Time wait_end =
        cal.AddNaturalDays(closed, p.closure_waiting_days());
    out.add_steps(absl::StrCat("shop closed ", text(closed),
                               "; waiting period ", p.closure_waiting_days(),
                               " natural days ends ", text(wait_end)));
    if (wait_end > ready) {
      ready = wait_end;
      ready_why = "at the end of the waiting period";
    }
  }
  if (p.return_window_days() > 0 && shop.any_delivered) {
    const absl::Time last_window = absl::FromUnixSeconds(
        shop.last_delivered_s + int64_t{p.return_window_days()} * 86400);
    out.add_steps(absl::StrCat("last return window (", p.return_window_days(),
                               " days after delivery) ends ",
                               text(last_window)));
    if (last_window > ready) {
      ready = last_window;
      ready_why = "when the last return window ends";
    }
  }
  out.add_steps(
      absl::StrCat("every condition holds ", ready_why, ": ", text(ready)));
  common::ToTimestamp(ready, out.mutable_ready_at());

  absl::Time review_start = ready;
  if (p.review_starts_at_refund_request()) {
    const int64_t request = shop.pending_refund_request_at;
    if (request != 0) {
      review_start = std::max(ready, absl::FromUnixNanos(request));
      out.add_steps(
          absl::StrCat("the review starts at the refund request (",
                       text(absl::FromUnixNanos(request)),
                       ") or when every condition holds, whichever is later: ",
                       text(review_start)));
    } else {
      out.set_conditional(true);
      review_start = std::max(ready, as_of);
      out.add_steps(absl::StrCat(
          "the review starts at the refund request; none is pending: "
          "conditional, as if requested at ",
          text(review_start)));
    }
  }

  absl::Time review_done = cal.Add(review_start, p.review());
  out.add_steps(absl::StrCat("review ", Days(p.review()), " on the ",
                             zone.name(), " calendar ends ",
                             text(review_done)));
  if (shop.complaint_history && p.manual_review_extra_working_days() > 0) {
    review_done =
        cal.AddWorkingDays(review_done, p.manual_review_extra_working_days());
    out.add_steps(absl::StrCat("complaint history: manual review adds ",
                               p.manual_review_extra_working_days(),
                               " working days, ends ", text(review_done)));
  }
  common::ToTimestamp(review_done, out.mutable_review_done_at());

  absl::Time batch = review_done;
  if (p.refund_batch_day_of_month() > 0) {
    batch = NextBatchRun(review_done, p.refund_batch_day_of_month(), zone);
    out.add_steps(absl::StrCat("refunds run monthly on day ",
                               p.refund_batch_day_of_month(), ": batch ",
                               text(batch)));
  }
  common::ToTimestamp(batch, out.mutable_batch_at());

  const absl::Time paid = cal.Add(batch, p.payout_transit());
  out.add_steps(absl::StrCat("payout transit ", Days(p.payout_transit()),
                             ": expected ", text(paid)));
  common::ToTimestamp(paid, out.mutable_expected_paid_at());
  return out;
}

}  // namespace depositd::watchers
