#include "watchers/explain.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/currency.h"
#include "watchers/derived_facts.h"
#include "watchers/readiness.h"
#include "watchers/readiness_rules.h"

namespace depositd::watchers {
namespace {

using store::v1::DisputeRecord;
using store::v1::FeeRecord;

constexpr int kMaxExplainEvents = 50;

std::string SecondsText(int64_t s, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Ez", absl::FromUnixSeconds(s),
                          zone);
}

}  // namespace

v1::ExplainResponse ExplainReadiness(const ShopStateInternals& in,
                                     absl::Time as_of,
                                     const ResolvedProfile& profile) {
  const v1::PlatformProfile& p = profile.settings;
  v1::ExplainResponse out;
  *out.mutable_report() = EvaluateReadiness(in, as_of, profile);
  const absl::TimeZone zone =
      profile.calendar ? profile.calendar->zone() : absl::UTCTimeZone();
  for (const v1::Blocker& b : out.report().blockers()) {
    v1::BlockerExplanation* x = out.add_explanations();
    *x->mutable_blocker() = b;
    auto add = [&](absl::string_view event_id, int64_t at_ns,
                   absl::string_view type, absl::string_view subject,
                   std::string detail) {
      if (x->events_size() >= kMaxExplainEvents) return;
      v1::EvidenceEvent* ev = x->add_events();
      ev->set_event_id(std::string(event_id));
      if (at_ns != 0) SetTs(at_ns, ev->mutable_occurred_at());
      ev->set_type(std::string(type));
      ev->set_subject(std::string(subject));
      ev->set_detail(std::move(detail));
    };
    switch (b.condition()) {
      case v1::R1_ORDERS_IN_FLIGHT:
      case v1::R2_RETURN_WINDOWS_OPEN:
        for (const std::string& id : b.ids()) {
          auto it = in.orders.by_id.find(id);
          if (it == in.orders.by_id.end()) continue;
          const OrderRecord& o = in.orders.slots[it->second];
          const int64_t at_s = o.at_s[o.status - 1];
          std::string detail = absl::StrCat(
              "order ", id, " ",
              v1::OrderStatus_Name(static_cast<v1::OrderStatus>(o.status)),
              " since ", SecondsText(at_s, zone));
          if (b.condition() == v1::R2_RETURN_WINDOWS_OPEN) {
            absl::StrAppend(
                &detail, "; delivered ", SecondsText(o.delivered_s(), zone),
                "; return window ends ",
                SecondsText(
                    o.delivered_s() + int64_t{p.return_window_days()} * 86400,
                    zone));
          }
          add("", at_s * 1000000000LL, "order_status_changed", id, detail);
        }
        break;
      case v1::R3_OPEN_DISPUTES:
        for (const std::string& id : b.ids()) {
          auto it = in.disputes.find(id);
          if (it == in.disputes.end()) continue;
          const DisputeRecord& d = it->second;
          const int64_t due = DisputeDueAt(d, p);
          add(d.event_id(), d.opened_at(), "dispute_opened", id,
              absl::StrCat(
                  v1::DisputeKind_Name(static_cast<v1::DisputeKind>(d.kind())),
                  " ", id, d.order_id().empty() ? "" : " on order ",
                  d.order_id(),
                  due != 0 ? absl::StrCat("; response due ",
                                          TimeText(NanosToTime(due), profile))
                           : "",
                  d.responded_at() != 0 ? "; responded" : "; not responded"));
        }
        break;
      case v1::R4_UNPAID_FEES:
        for (const std::string& id : b.ids()) {
          auto it = in.fees.find(id);
          if (it == in.fees.end()) continue;
          const FeeRecord& f = it->second;
          add(f.event_id(), f.charged_at(), "fee_charged", id,
              absl::StrCat(v1::FeeCategory_Name(
                               static_cast<v1::FeeCategory>(f.category())),
                           " fee ", id, ": ",
                           common::FormatMoney(FeeOutstanding(f), f.currency()),
                           " unpaid of ",
                           common::FormatMoney(f.amount(), f.currency())));
        }
        break;
      case v1::R5_PENDING_VIOLATIONS:
        for (const std::string& id : b.ids()) {
          auto it = in.violations.find(id);
          if (it != in.violations.end() && it->second.recorded()) {
            add("", it->second.recorded_at(), "violation_recorded", id,
                absl::StrCat("violation ", id, " (", it->second.kind(), ") ",
                             it->second.description()));
          }
        }
        if (in.frozen_at > in.unfrozen_at) {
          add("", in.frozen_at, "deposit_frozen", in.freeze_violation_id,
              absl::StrCat("deposit frozen: ", in.freeze_reason));
        }
        break;
      case v1::R6_BALANCE_SHORT:
      case v1::R8_REFUND_ACCOUNT:
      case v1::R10_DISCOUNT_CLAWBACK:
        for (const auto& [id, pay] : in.payments) {
          add(pay.event_id(), pay.at(),
              pay.top_up() ? "deposit_topped_up" : "deposit_paid", id,
              absl::StrCat(
                  DepositKindName(pay.kind()), " ",
                  common::FormatMoney(pay.amount(), pay.currency()), " from ",
                  pay.channel(), "/", pay.account(),
                  pay.discount() > 0
                      ? absl::StrCat(
                            ", discount ",
                            common::FormatMoney(pay.discount(), pay.currency()))
                      : ""));
        }
        if (b.condition() == v1::R6_BALANCE_SHORT) {
          for (const auto& [id, d] : in.deductions) {
            if (!d.known()) continue;
            add(d.event_id(), d.at(), "deposit_deducted", id,
                absl::StrCat("deducted ",
                             common::FormatMoney(d.amount(), d.currency()),
                             ": ", d.reason()));
          }
        }
        if (b.condition() == v1::R8_REFUND_ACCOUNT &&
            in.refund_account_set_at != 0) {
          add("", in.refund_account_set_at, "refund_account_set",
              in.refund_account,
              absl::StrCat("refund account ", in.refund_channel, "/",
                           in.refund_account, " ", in.refund_currency));
        }
        break;
      case v1::R7_WAITING_PERIOD: {
        const ClosureFacts f = GetClosureFacts(in);
        auto event_id = [&](int64_t t, int32_t type) -> std::string {
          auto it = in.lifecycle_event_ids.find({t, type});
          return it == in.lifecycle_event_ids.end() ? "" : it->second;
        };
        if (f.requested_at != 0) {
          add(event_id(f.requested_at, kClosureRequested), f.requested_at,
              "closure_requested", "", "closure requested");
        }
        if (f.closed_at != 0) {
          add(event_id(f.closed_at, kClosed), f.closed_at, "shop_closed", "",
              "shop closed");
        }
        break;
      }
      case v1::R9_HEALTH_METRICS:
        for (const std::string& id : b.ids()) {
          auto it = in.metrics.find(id);
          if (it == in.metrics.end()) continue;
          add("", it->second.second, "metrics_reported", id,
              absl::StrFormat("%s = %.2f", id, it->second.first));
        }
        break;
      default:
        break;
    }
  }
  return out;
}

}  // namespace depositd::watchers
