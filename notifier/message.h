// Human-readable alert messages in the tenant's language (zh-CN or en): what
// the sinks (DingTalk, WeCom, Feishu, Slack, webhooks, Alertmanager
// annotations) show a person.
//
// A message says which shop (tenant/shop_id and the subject, if any), what is
// at risk (a sentence per AlertKind built from kind, evidence and stage), by
// when (due_at as an absolute UTC date-time and relative to alert.at: "in 3
// days" / "3 天后", "overdue by 2 h" / "已逾期 2 小时"), how much money
// (amount_at_risk via FormatMoney), what to do (the action), and why this
// transition was sent (AlertChange: opened, escalated, reminder, acknowledged
// by whom, resolved at when). The text ends with the alert key and sequence
// for traceability.
//
// Pure: no I/O, no clock (relative times are measured from alert.at).
#ifndef DEPOSITD_NOTIFIER_MESSAGE_H_
#define DEPOSITD_NOTIFIER_MESSAGE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "depositd/v1/alerts.pb.h"

namespace depositd::notifier {

struct AlertMessage {
  // One line: severity, state/change, what, which shop.
  std::string title;
  // Plain text, several lines separated by '\n'.
  std::string text;
  // The same content in Markdown (DingTalk, WeCom, Slack mrkdwn after
  // escaping). Special characters in data fields are not escaped here.
  std::string markdown;
  // What to do, one sentence in the message's language (also inside text);
  // empty for a resolved alert.
  std::string action;
};

// Renders `alert` in `language`: "zh-CN" for Chinese, anything else English.
// Never fails: missing fields are left out of the message.
AlertMessage RenderAlert(const v1::Alert& alert, absl::string_view language);

// Where a person finds the whole alert when a robot's copy is cut or
// folded into a digest: "Full alerts: depositctl alerts list --tenant acme"
// / "完整告警：depositctl alerts list --tenant acme".
std::string FullAlertPointer(absl::string_view tenant,
                             absl::string_view language);

// "in 3 days" / "3 天后", "overdue by 2 h" / "已逾期 2 小时", "now" / "现在":
// `due` relative to `at`, rounded down to the largest whole unit (days, hours,
// minutes). Exposed for tests and depositctl.
std::string RelativeTime(absl::Time due, absl::Time at,
                         absl::string_view language);

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_MESSAGE_H_
