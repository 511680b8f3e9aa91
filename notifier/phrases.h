// Phrases: the domain's words in one language — severities, changes, alert
// kinds, conditions, dispute kinds, fee categories, metrics, stages, sink
// platforms, CLOSURE_BLOCKED's blockers and the labels of a message's lines.
// One table per language (phrases_en.cc, phrases_zh.cc) behind this
// interface, so a message (message.cc, digest.cc) takes every domain word
// from one place and a Chinese message has no English word left in it.
//
// Unknown codes (a dispute kind or metric added later) are returned as they
// are, never dropped.
//
// Pure: no I/O. Thread-safe: the tables are immutable singletons.
#ifndef DEPOSITD_NOTIFIER_PHRASES_H_
#define DEPOSITD_NOTIFIER_PHRASES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "depositd/v1/alerts.pb.h"
#include "depositd/v1/readiness.pb.h"

namespace depositd::notifier {

class Phrases {
 public:
  virtual ~Phrases() = default;

  // "CRITICAL" / "严重".
  virtual std::string Severity(v1::Severity s) const = 0;
  // Why a transition was sent: "ESCALATED" / "升级".
  virtual std::string Change(v1::AlertChange c) const = 0;
  // "Unpaid fees" / "费用逾期未缴".
  virtual std::string KindTitle(v1::AlertKind kind) const = 0;
  // The label of the due line: "Respond by" / "回复期限".
  virtual std::string DueLabel(v1::AlertKind kind) const = 0;
  // "R3 open disputes" / "R3 未结纠纷".
  virtual std::string Condition(v1::Condition c) const = 0;
  // A blocker of CLOSURE_BLOCKED from its evidence: `count_text` (how many
  // things block; may be empty), `amounts` (formatted money; may be empty)
  // and the watcher's English `summary`.
  virtual std::string Blocker(v1::Condition c, absl::string_view count_text,
                              absl::string_view amounts,
                              absl::string_view summary) const = 0;
  // Codes of the evidence: "NOT_RECEIVED" / "item not received" /
  // "买家称未收到货".
  virtual std::string DisputeKind(absl::string_view code) const = 0;
  virtual std::string FeeCategory(absl::string_view code) const = 0;
  virtual std::string Metric(absl::string_view code) const = 0;
  // "DINGTALK" / "DingTalk" / "钉钉".
  virtual std::string SinkType(absl::string_view code) const = 0;
  // Formatted money ("USD 35.00", or a list "USD 35.00, CNY 10.00", as
  // common::FormatMoney writes it) in this language: "35.00 美元".
  // Currencies the table does not name stay as they are.
  virtual std::string Money(absl::string_view formatted) const = 0;
  // A stage name: "30d", "breached" / "30 天", "已超期".
  virtual std::string Stage(absl::string_view stage) const = 0;

  // Labels of a message's lines.
  struct Labels {
    const char* shop;
    const char* at_risk;
    const char* money_at_risk;
    const char* action;
    const char* status;
    const char* alert;
    const char* sequence;  // in the trace line: "sequence" / "序号"
    const char* stage;
    const char* separator;  // ": " / "："
  };
  virtual const Labels& labels() const = 0;
};

// The table of `language`: "zh-CN" for Chinese, anything else English.
const Phrases& PhrasesFor(absl::string_view language);

// The tables behind PhrasesFor, one file each (use PhrasesFor).
const Phrases& EnglishPhraseTable();  // phrases_en.cc
const Phrases& ChinesePhraseTable();  // phrases_zh.cc

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_PHRASES_H_
