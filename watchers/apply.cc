// ShopState::Apply: an event in, the shop's facts updated. The record
// events are in watchers/apply_records.cc; this file is the dispatch and
// what surrounds every event (derived facts, record pages, the count).
#include <cassert>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "watchers/apply_records.h"
#include "watchers/derived_facts.h"
#include "watchers/shop_records.h"
#include "watchers/shop_state.h"
#include "watchers/shop_state_internals.h"
#include "watchers/validation.h"

namespace depositd::watchers {

using store::v1::MoneyLine;
using store::v1::ViolationRecord;

namespace {

// Records lifecycle fact (t, type) and its event id (the smallest id of the
// events stating it, so the result does not depend on arrival order).
// True when anything changed.
bool AddLifecycleFact(ShopStateInternals& in, int64_t t, int32_t type,
                      const std::string& event_id) {
  bool changed = in.lifecycle.insert({t, type}).second;
  if (!event_id.empty()) {
    auto [it, inserted] =
        in.lifecycle_event_ids.try_emplace({t, type}, event_id);
    if (!inserted && event_id < it->second) {
      it->second = event_id;
      inserted = true;
    }
    changed |= inserted;
  }
  return changed;
}

}  // namespace

absl::Status ShopState::Apply(const v1::Event& e,
                              const ResolvedProfile& profile) {
  if (absl::Status s = ValidateEvent(e); !s.ok()) return s;
  return ApplyValidated(e, profile);
}

absl::Status ShopState::ApplyValidated(const v1::Event& e,
                                       const ResolvedProfile& profile) {
  (void)profile;  // defaults that depend on the profile apply at evaluation
  assert(ValidateEvent(e).ok() && "ApplyValidated needs a validated event");
  if (e.tenant() != in_->tenant || e.shop_id() != in_->shop_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("event for ", e.tenant(), "/", e.shop_id(),
                     " sent to shop ", in_->tenant, "/", in_->shop_id));
  }
  ShopStateInternals& in = *in_;
  const int64_t t = TsNanos(e.occurred_at());
  bool changed = false;
  absl::Status s;
  CountSubject(in, e, -1);  // counted again below, whatever happens
  switch (e.body_case()) {
    case v1::Event::kShopRegistered: {
      const auto& b = e.shop_registered();
      if (t > in.registered_at ||
          (t == in.registered_at &&
           std::tie(b.profile(), b.site(), b.legal_entity_id()) >
               std::tie(in.profile, in.site, in.legal_entity_id))) {
        in.registered_at = t;
        in.profile = b.profile();
        in.site = b.site();
        in.legal_entity_id = b.legal_entity_id();
        in.entity_last_closed_at = b.has_entity_last_closed_at()
                                       ? TsNanos(b.entity_last_closed_at())
                                       : 0;
        changed = true;
      }
      break;
    }
    case v1::Event::kClosureRequested:
      changed = AddLifecycleFact(in, t, kClosureRequested, e.event_id());
      break;
    case v1::Event::kShopClosed:
      changed = AddLifecycleFact(in, t, kClosed, e.event_id());
      break;
    case v1::Event::kShopReopened:
      changed = AddLifecycleFact(in, t, kReopened, e.event_id());
      break;
    case v1::Event::kDepositPaid:
    case v1::Event::kDepositToppedUp:
      s = ApplyPayment(in, e, &changed);
      break;
    case v1::Event::kDepositDeducted:
      s = ApplyDeduction(in, e, &changed);
      break;
    case v1::Event::kDepositFrozen:
      if (t > in.frozen_at ||
          (t == in.frozen_at &&
           e.deposit_frozen().violation_id() > in.freeze_violation_id)) {
        in.frozen_at = t;
        in.freeze_violation_id = e.deposit_frozen().violation_id();
        in.freeze_reason = e.deposit_frozen().reason();
        changed = true;
      }
      break;
    case v1::Event::kDepositUnfrozen:
      if (t > in.unfrozen_at) {
        in.unfrozen_at = t;
        changed = true;
      }
      break;
    case v1::Event::kRefundRequested:
    case v1::Event::kRefundPaid:
    case v1::Event::kRefundRejected:
      s = ApplyRefund(in, e, &changed);
      break;
    case v1::Event::kRefundAccountSet: {
      const auto& b = e.refund_account_set();
      if (t > in.refund_account_set_at ||
          (t == in.refund_account_set_at &&
           std::tie(b.channel(), b.account(), b.currency()) >
               std::tie(in.refund_channel, in.refund_account,
                        in.refund_currency))) {
        in.refund_account_set_at = t;
        in.refund_channel = b.channel();
        in.refund_account = b.account();
        in.refund_currency = b.currency();
        in.derived.payments_on_refund_path = CountOnRefundPath(in);
        changed = true;
      }
      break;
    }
    case v1::Event::kDepositRequirementSet: {
      const auto& b = e.deposit_requirement_set();
      auto it = in.requirements.find(b.kind());
      if (it == in.requirements.end() || t > it->second.set_at() ||
          (t == it->second.set_at() &&
           std::make_pair(b.required().minor_units(), b.required().currency()) >
               std::make_pair(it->second.amount(), it->second.currency()))) {
        store::v1::RequirementRecord& r = in.requirements[b.kind()];
        r.set_kind(b.kind());
        r.set_amount(b.required().minor_units());
        r.set_currency(b.required().currency());
        r.set_set_at(t);
        changed = true;
      }
      break;
    }
    case v1::Event::kAppealFiled:
      s = ApplyAppealFiled(in, e, &changed);
      break;
    case v1::Event::kAppealDecided:
      s = ApplyAppealDecided(in, e, &changed);
      break;
    case v1::Event::kClawbackPaid: {
      const auto& b = e.clawback_paid();
      const std::string id =
          b.payment_id().empty() ? e.event_id() : b.payment_id();
      auto it = in.clawbacks_paid.find(id);
      if (it != in.clawbacks_paid.end()) {
        if (it->second.minor_units() == b.amount().minor_units() &&
            it->second.currency() == b.amount().currency()) {
          if (it->second.at() == 0 || t < it->second.at()) {  // earliest
            it->second.set_at(t);
            changed = true;
          }
          break;
        }
        s = Contradiction(
            absl::StrCat("clawback payment ", id,
                         " was already recorded with a different amount"));
        break;
      }
      MoneyLine& m = in.clawbacks_paid[id];
      m.set_id(id);
      m.set_minor_units(b.amount().minor_units());
      m.set_currency(b.amount().currency());
      m.set_at(t);
      changed = true;
      break;
    }
    case v1::Event::kOrderStatusChanged:
      s = ApplyOrderStatus(in, e, e.order_status_changed().status(),
                           e.order_status_changed().order_id(), &changed);
      break;
    case v1::Event::kSaleRecorded:
      if (t > in.last_sale_at) {
        in.last_sale_at = t;
        changed = true;
      }
      break;
    case v1::Event::kDisputeOpened:
    case v1::Event::kDisputeDeadlineChanged:
    case v1::Event::kDisputeResponded:
    case v1::Event::kDisputeResolved:
      s = ApplyDispute(in, e, &changed);
      break;
    case v1::Event::kFeeCharged:
    case v1::Event::kFeePaid:
    case v1::Event::kFeeWaived:
      s = ApplyFee(in, e, &changed);
      break;
    case v1::Event::kViolationRecorded: {
      const auto& b = e.violation_recorded();
      ViolationRecord& v = in.violations[b.violation_id()];
      if (!v.recorded() || t < v.recorded_at()) {
        v.set_id(b.violation_id());
        v.set_recorded(true);
        v.set_recorded_at(t);
        v.set_kind(b.kind());
        v.set_description(b.description());
        changed = true;
      }
      break;
    }
    case v1::Event::kViolationResolved: {
      ViolationRecord& v = RecordFor(
          in.violations, e.violation_resolved().violation_id(), &changed);
      MinTime(&v, &ViolationRecord::resolved_at,
              &ViolationRecord::set_resolved_at, t, &changed);
      break;
    }
    case v1::Event::kRectificationFiled: {
      const auto& b = e.rectification_filed();
      ViolationRecord& v = in.violations[b.violation_id()];
      v.set_id(b.violation_id());
      if (v.rectified_at() == 0 || t < v.rectified_at() ||
          (t == v.rectified_at() && b.statement() > v.statement())) {
        v.set_rectified_at(t);
        v.set_statement(b.statement());
        changed = true;
      }
      break;
    }
    case v1::Event::kMetricsReported: {
      const auto& b = e.metrics_reported();
      auto put = [&](const char* name, bool has, double value) {
        if (!has) return;
        auto it = in.metrics.find(name);
        if (it == in.metrics.end() || t > it->second.second ||
            (t == it->second.second && value > it->second.first)) {
          in.metrics[name] = {value, t};
          changed = true;
        }
      };
      put("fulfilment_rate_pct", b.has_fulfilment_rate_pct(),
          b.fulfilment_rate_pct());
      put("return_rate_pct", b.has_return_rate_pct(), b.return_rate_pct());
      put("dsr", b.has_dsr(), b.dsr());
      break;
    }
    case v1::Event::kFeedAuthorizationChanged: {
      const auto& b = e.feed_authorization_changed();
      if (t >= in.feed_state_at) {
        in.feed_state_at = t;
        in.feed_state = b.state();
        in.feed_expires_at = b.has_expires_at() ? TsNanos(b.expires_at()) : 0;
        changed = true;
      }
      break;
    }
    case v1::Event::BODY_NOT_SET:
      break;
  }
  CountSubject(in, e, +1);
  NoteRecordChange(in, e);
  if (!s.ok()) return s;
  if (changed) ++in.events_applied;
  return absl::OkStatus();
}

}  // namespace depositd::watchers
