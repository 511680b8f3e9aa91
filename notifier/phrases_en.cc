// The English phrase table (see phrases.h).
#include <string>

#include "notifier/phrases.h"

namespace depositd::notifier {
namespace {

class EnglishPhrases final : public Phrases {
 public:
  std::string Severity(v1::Severity s) const override {
    switch (s) {
      case v1::CRITICAL:
        return "CRITICAL";
      case v1::WARNING:
        return "WARNING";
      case v1::INFO:
        return "INFO";
      default:
        return "UNKNOWN";
    }
  }
  std::string Change(v1::AlertChange c) const override {
    switch (c) {
      case v1::ESCALATED:
        return "ESCALATED";
      case v1::REPEATED:
        return "REMINDER";
      case v1::ACKNOWLEDGED:
        return "ACKNOWLEDGED";
      case v1::UPDATED:
        return "UPDATED";
      case v1::CLEARED:
        return "RESOLVED";
      case v1::OPENED:
      default:
        return "FIRING";
    }
  }
  std::string KindTitle(v1::AlertKind kind) const override {
    switch (kind) {
      case v1::INACTIVITY:
        return "No sales (inactivity)";
      case v1::DISPUTE_RESPONSE_DUE:
        return "Dispute response due";
      case v1::APPEAL_WINDOW_CLOSING:
        return "Appeal window closing";
      case v1::BALANCE_SHORT:
        return "Deposit balance short";
      case v1::UNPAID_FEES:
        return "Unpaid fees";
      case v1::METRIC_BELOW_THRESHOLD:
        return "Shop metric out of range";
      case v1::CLOSURE_BLOCKED:
        return "Closure blocked";
      case v1::REFUND_OVERDUE:
        return "Deposit refund overdue";
      case v1::ACCOUNT_MISMATCH:
        return "Refund account mismatch";
      case v1::REOPEN_COOLING_OFF:
        return "Reopen inside cooling-off";
      case v1::FEED_SILENT:
        return "Feed silent";
      case v1::FEED_DEAUTHORIZED:
        return "Feed authorization lost";
      case v1::SINK_FAILING:
        return "Sink refuses alerts";
      default:
        return "Alert";
    }
  }
  std::string DueLabel(v1::AlertKind kind) const override {
    switch (kind) {
      case v1::INACTIVITY:
        return "Deduction at";
      case v1::DISPUTE_RESPONSE_DUE:
        return "Respond by";
      case v1::APPEAL_WINDOW_CLOSING:
        return "Appeal by";
      case v1::UNPAID_FEES:
        return "Fee due";
      case v1::REFUND_OVERDUE:
        return "Expected by";
      case v1::REOPEN_COOLING_OFF:
        return "Cooling-off ends";
      case v1::FEED_SILENT:
        return "Silent past limit at";
      case v1::FEED_DEAUTHORIZED:
        return "Authorization expires";
      default:
        return "Due";
    }
  }
  std::string Condition(v1::Condition c) const override {
    switch (c) {
      case v1::R1_ORDERS_IN_FLIGHT:
        return "R1 orders in flight";
      case v1::R2_RETURN_WINDOWS_OPEN:
        return "R2 return windows open";
      case v1::R3_OPEN_DISPUTES:
        return "R3 open disputes";
      case v1::R4_UNPAID_FEES:
        return "R4 unpaid fees";
      case v1::R5_PENDING_VIOLATIONS:
        return "R5 pending violations";
      case v1::R6_BALANCE_SHORT:
        return "R6 balance short";
      case v1::R7_WAITING_PERIOD:
        return "R7 waiting period";
      case v1::R8_REFUND_ACCOUNT:
        return "R8 refund account";
      case v1::R9_HEALTH_METRICS:
        return "R9 health metrics";
      case v1::R10_DISCOUNT_CLAWBACK:
        return "R10 discount clawback";
      default:
        return v1::Condition_Name(c);
    }
  }
  // The watchers' summary is English already (and says more).
  std::string Blocker(v1::Condition, absl::string_view, absl::string_view,
                      absl::string_view summary) const override {
    return std::string(summary);
  }
  std::string DisputeKind(absl::string_view kind) const override {
    if (kind == "NOT_RECEIVED") return "item not received";
    if (kind == "A_TO_Z") return "A-to-Z claim";
    if (kind == "REFUND_REQUEST") return "refund request";
    if (kind == "RETURN") return "return";
    if (kind == "COMPLAINT") return "complaint";
    if (kind == "ARBITRATION") return "arbitration";
    return std::string(kind);
  }
  std::string FeeCategory(absl::string_view c) const override {
    if (c == "FINE") return "fine";
    if (c == "TECHNICAL_SERVICE") return "technical service fee";
    if (c == "ADS_SETTLEMENT") return "ads settlement";
    if (c == "LOGISTICS_ADVANCE") return "logistics advance";
    if (c == "ORDER_REFUND_OWED") return "order refund owed";
    if (c == "OTHER_FEE") return "other fee";
    return std::string(c);
  }
  std::string Metric(absl::string_view metric) const override {
    if (metric == "fulfilment_rate_pct") return "fulfilment rate";
    if (metric == "return_rate_pct") return "return rate";
    if (metric == "dsr") return "shop rating (DSR)";
    return std::string(metric);
  }
  std::string SinkType(absl::string_view type) const override {
    if (type == "DINGTALK") return "DingTalk";
    if (type == "FEISHU") return "Feishu";
    if (type == "WECOM") return "WeCom";
    if (type == "SLACK") return "Slack";
    if (type == "WEBHOOK") return "Webhook";
    if (type == "ALERTMANAGER") return "Alertmanager";
    return std::string(type);
  }
  std::string Money(absl::string_view formatted) const override {
    return std::string(formatted);
  }
  // English keeps the stage's own name ("30d", "breached").
  std::string Stage(absl::string_view stage) const override {
    return std::string(stage);
  }
  const Labels& labels() const override {
    static constexpr Labels kLabels = {"Shop",     "At risk", "Money at risk",
                                       "Action",   "Status",  "Alert",
                                       "sequence", "stage",   ": "};
    return kLabels;
  }
};

}  // namespace

const Phrases& EnglishPhraseTable() {
  static const EnglishPhrases* const table = new EnglishPhrases();
  return *table;
}

}  // namespace depositd::notifier
