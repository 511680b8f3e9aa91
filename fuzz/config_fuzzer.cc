// Fuzz target (c): configuration parsing (ProfileRegistry::ParseConfigText)
// and registry creation. The input is a configuration file (protobuf text
// format). Checks: every error names the file ("fuzz.textproto:..."), a
// configuration that parses also builds a registry, and every profile it can
// resolve (each profile for the default tenant, each configured tenant and
// shop) evaluates a fixed, busy shop and runs the risk watchers without
// crash or undefined behaviour at moments around its deadlines. That is
// where configured numbers (days, hours, percentages) meet time and money
// arithmetic.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "depositd/v1/config.pb.h"
#include "fuzz/fuzz_checks.h"
#include "notifier/alert_book.h"
#include "watchers/profiles.h"
#include "watchers/shop_state.h"

namespace depositd::fuzz {
namespace {

constexpr int64_t kBase = 1767225600;  // 2026-01-01T00:00:00Z

v1::Event At(int64_t day, const char* id) {
  v1::Event e;
  e.set_event_id(id);
  e.set_tenant("acme");
  e.set_shop_id("tts-us-001");
  e.mutable_occurred_at()->set_seconds(kBase + day * 86400);
  return e;
}

void SetMoney(v1::Money* m, int64_t units, const char* currency) {
  m->set_minor_units(units);
  m->set_currency(currency);
}

// A shop with a fact for every rule, applied under the generic profile.
const watchers::ShopState& BusyShop() {
  static const watchers::ShopState* shop = [] {
    auto* s = new watchers::ShopState("acme", "tts-us-001");
    std::vector<v1::Event> events;
    v1::Event e = At(0, "reg");
    e.mutable_shop_registered()->set_profile("tiktok_shop_cross_border");
    e.mutable_shop_registered()->set_site("US");
    e.mutable_shop_registered()->set_legal_entity_id("le-1");
    e.mutable_shop_registered()->mutable_entity_last_closed_at()->set_seconds(
        kBase - 86400 * 20);
    events.push_back(e);
    e = At(1, "pay");
    e.mutable_deposit_paid()->set_payment_id("p1");
    e.mutable_deposit_paid()->set_kind(v1::BASE);
    SetMoney(e.mutable_deposit_paid()->mutable_amount(), 50000, "USD");
    SetMoney(e.mutable_deposit_paid()->mutable_discount(), 10000, "USD");
    e.mutable_deposit_paid()->mutable_discount_clawback_until()->set_seconds(
        kBase + 86400 * 400);
    e.mutable_deposit_paid()->set_channel("paypal");
    e.mutable_deposit_paid()->set_paying_account("A");
    events.push_back(e);
    e = At(2, "acct");
    e.mutable_refund_account_set()->set_channel("paypal");
    e.mutable_refund_account_set()->set_account("B");
    e.mutable_refund_account_set()->set_currency("USD");
    events.push_back(e);
    e = At(3, "o1");
    e.mutable_order_status_changed()->set_order_id("o1");
    e.mutable_order_status_changed()->set_status(v1::PLACED);
    events.push_back(e);
    e = At(4, "o2");
    e.mutable_order_status_changed()->set_order_id("o2");
    e.mutable_order_status_changed()->set_status(v1::DELIVERED);
    events.push_back(e);
    e = At(5, "dsp");
    e.mutable_dispute_opened()->set_dispute_id("nr-1");
    e.mutable_dispute_opened()->set_kind(v1::NOT_RECEIVED);
    SetMoney(e.mutable_dispute_opened()->mutable_amount(), 1200, "USD");
    events.push_back(e);
    e = At(5, "dsp2");
    e.mutable_dispute_opened()->set_dispute_id("c-1");
    e.mutable_dispute_opened()->set_kind(v1::COMPLAINT);
    events.push_back(e);
    e = At(6, "fee");
    e.mutable_fee_charged()->set_fee_id("ads-1");
    e.mutable_fee_charged()->set_category(v1::ADS_SETTLEMENT);
    SetMoney(e.mutable_fee_charged()->mutable_amount(), 3500, "USD");
    events.push_back(e);
    e = At(7, "ded");
    e.mutable_deposit_deducted()->set_deduction_id("d1");
    SetMoney(e.mutable_deposit_deducted()->mutable_amount(), 5000, "USD");
    e.mutable_deposit_deducted()->set_counterfeit(true);
    events.push_back(e);
    e = At(8, "req");
    e.mutable_deposit_requirement_set()->set_kind(v1::CREDIT);
    SetMoney(e.mutable_deposit_requirement_set()->mutable_required(), 90000,
             "USD");
    events.push_back(e);
    e = At(9, "met");
    e.mutable_metrics_reported()->set_fulfilment_rate_pct(90);
    e.mutable_metrics_reported()->set_return_rate_pct(20);
    e.mutable_metrics_reported()->set_dsr(3);
    events.push_back(e);
    e = At(10, "vio");
    e.mutable_violation_recorded()->set_violation_id("v1");
    events.push_back(e);
    e = At(11, "frz");
    e.mutable_deposit_frozen()->set_violation_id("v1");
    events.push_back(e);
    e = At(20, "creq");
    e.mutable_closure_requested();
    events.push_back(e);
    e = At(22, "closed");
    e.mutable_shop_closed();
    events.push_back(e);
    e = At(23, "rr");
    e.mutable_refund_requested()->set_refund_id("r1");
    events.push_back(e);
    const watchers::ResolvedProfile& generic =
        ProfileFor(BuiltinRegistry(), *s);
    for (const v1::Event& ev : events) {
      absl::Status st = s->Apply(ev, generic);
      Require(st.ok(), "the busy shop's events apply", st.ToString());
    }
    return s;
  }();
  return *shop;
}

// The same shop before closure (INACTIVITY, cooling-off and appeal rules
// look at an operating shop).
const watchers::ShopState& OperatingShop() {
  static const watchers::ShopState* shop = [] {
    auto* s = new watchers::ShopState("acme", "tts-us-001");
    v1::Event e = At(0, "reg");
    e.mutable_shop_registered()->set_profile("generic");
    e.mutable_shop_registered()->mutable_entity_last_closed_at()->set_seconds(
        kBase - 86400);
    const watchers::ResolvedProfile& generic =
        ProfileFor(BuiltinRegistry(), *s);
    Require(s->Apply(e, generic).ok(), "registration applies");
    e = At(1, "ded");
    e.mutable_deposit_deducted()->set_deduction_id("d1");
    SetMoney(e.mutable_deposit_deducted()->mutable_amount(), 5000, "CNY");
    Require(s->Apply(e, generic).ok(), "deduction applies");
    e = At(2, "sale");
    e.mutable_sale_recorded();
    Require(s->Apply(e, generic).ok(), "sale applies");
    return s;
  }();
  return *shop;
}

void Exercise(const watchers::ResolvedProfile& profile) {
  static const int64_t kDays[] = {0, 6, 25, 100, 40000};
  for (const watchers::ShopState* shop : {&BusyShop(), &OperatingShop()}) {
    notifier::AlertBook book;
    for (int64_t d : kDays) {
      CheckShop(*shop, profile, absl::FromUnixSeconds(kBase + d * 86400), &book,
                /*twice=*/false);
    }
  }
}

}  // namespace
}  // namespace depositd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace depositd;
  if (size > 64 * 1024) return 0;  // a configuration file, not a data set
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<v1::DaemonConfig> config =
      watchers::ProfileRegistry::ParseConfigText(text, "fuzz.textproto");
  if (!config.ok()) {
    fuzz::Require(config.status().code() == absl::StatusCode::kInvalidArgument,
                  "configuration errors are INVALID_ARGUMENT",
                  config.status().ToString());
    fuzz::Require(
        absl::StartsWith(config.status().message(), "fuzz.textproto:"),
        "configuration errors name the file", config.status().ToString());
    return 0;
  }
  absl::StatusOr<std::unique_ptr<watchers::ProfileRegistry>> registry =
      watchers::ProfileRegistry::Create(*config);
  fuzz::Require(registry.ok(), "a configuration that parses also loads",
                registry.status().ToString());
  // Built-in profiles untouched by the configuration behave the same for
  // every input: exercise what the configuration names or overrides.
  std::vector<std::string> names;
  for (const v1::PlatformProfile& p : config->profiles()) {
    names.push_back(p.name());
  }
  if (names.empty() || !config->tenants().empty()) names.push_back("generic");
  std::vector<std::pair<std::string, std::string>> shops = {{"", ""}};
  for (const v1::TenantConfig& t : config->tenants()) {
    shops.push_back({t.tenant(), ""});
    for (const v1::ShopOverride& s : t.shops()) {
      shops.push_back({t.tenant(), s.shop_id()});
    }
  }
  int exercised = 0;
  for (const auto& [tenant, shop] : shops) {
    for (const std::string& name : names) {
      absl::StatusOr<const watchers::ResolvedProfile*> p =
          (*registry)->Resolve(tenant, shop, name);
      if (!p.ok()) continue;
      fuzz::Require((*p)->calendar != nullptr,
                    "a resolved profile has a calendar");
      if (exercised++ < 4) fuzz::Exercise(**p);
    }
  }
  return 0;
}
