#include "notifier/message.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/substitute.h"
#include "common/currency.h"
#include "common/timestamps.h"
#include "notifier/alert_key.h"
#include "notifier/kind_text.h"
#include "notifier/phrases.h"
#include "notifier/sentences.h"

namespace depositd::notifier {
namespace {

using common::FromTimestamp;

std::string UtcText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", t, absl::UTCTimeZone());
}

// "3 days 4 h", "2 h 5 min", "12 min" / "3 天 4 小时", …: the largest whole
// unit, plus the next one while the first is small (so "1 day 23 h" is not
// rounded to "1 day").
std::string DurationText(absl::Duration d, const Sentences& s) {
  if (d < absl::ZeroDuration()) d = -d;
  const int64_t minutes = absl::ToInt64Minutes(d);
  const int64_t days = minutes / (24 * 60);
  const int64_t hours = (minutes / 60) % 24;
  const int64_t mins = minutes % 60;
  auto day = [&](int64_t n) {
    return absl::Substitute(n == 1 ? s.one_day : s.days, n);
  };
  auto hour = [&](int64_t n) { return absl::Substitute(s.hours, n); };
  auto minute = [&](int64_t n) { return absl::Substitute(s.minutes, n); };
  if (days > 0) {
    if (days < 3 && hours > 0) return absl::StrCat(day(days), " ", hour(hours));
    return day(days);
  }
  if (hours > 0) {
    if (hours < 3 && mins > 0) {
      return absl::StrCat(hour(hours), " ", minute(mins));
    }
    return hour(hours);
  }
  return minute(mins);
}

std::string RelativeTimeText(absl::Time due, absl::Time at,
                             const Sentences& s) {
  const absl::Duration d = due - at;
  if (d < absl::Minutes(1) && d > -absl::Minutes(1)) return std::string(s.now);
  const std::string amount = DurationText(d, s);
  return absl::Substitute(d > absl::ZeroDuration() ? s.in : s.overdue_by,
                          amount);
}

// The effective change: the field, or derived from state/repeat for
// transitions written before AlertChange existed.
v1::AlertChange ChangeOf(const v1::Alert& alert) {
  if (alert.change() != v1::ALERT_CHANGE_UNSPECIFIED) return alert.change();
  if (alert.state() == v1::RESOLVED) return v1::CLEARED;
  if (alert.repeat()) return v1::REPEATED;
  return v1::OPENED;
}

// "tenant acme" for tenant-wide alerts, else "acme/shop-1".
std::string WhereText(const v1::Alert& alert, const Sentences& s) {
  if (alert.key().shop_id().empty()) {
    return absl::Substitute(s.tenant, alert.key().tenant());
  }
  return absl::StrCat(alert.key().tenant(), "/", alert.key().shop_id());
}

bool HasMoney(const v1::Alert& alert) {
  return alert.has_amount_at_risk() &&
         !alert.amount_at_risk().currency().empty();
}

std::string MoneyText(const v1::Alert& alert) {
  return common::FormatMoney(alert.amount_at_risk().minor_units(),
                             alert.amount_at_risk().currency());
}

// Why this transition was sent.
std::string StatusText(const v1::Alert& alert, v1::AlertChange change,
                       const Phrases& words, const Sentences& s) {
  const absl::Time at = FromTimestamp(alert.at());
  const absl::Time starts = FromTimestamp(alert.starts_at());
  switch (change) {
    case v1::OPENED:
      return absl::Substitute(s.status.opened, UtcText(starts));
    case v1::ESCALATED:
      return absl::Substitute(s.status.escalated, words.Stage(alert.stage()),
                              words.Severity(alert.severity()),
                              UtcText(starts));
    case v1::REPEATED:
      return absl::Substitute(s.status.repeated, UtcText(starts),
                              DurationText(at - starts, s));
    case v1::ACKNOWLEDGED:
      return absl::Substitute(s.status.acknowledged,
                              alert.acknowledged_by().empty()
                                  ? s.status.someone
                                  : absl::string_view(alert.acknowledged_by()));
    case v1::UPDATED:
      // Not a page: the same alert, saying what is true now.
      return absl::Substitute(s.status.updated, UtcText(starts));
    case v1::CLEARED: {
      const absl::Time ends =
          alert.has_ends_at() ? FromTimestamp(alert.ends_at()) : at;
      return absl::Substitute(s.status.cleared, UtcText(ends),
                              DurationText(ends - starts, s));
    }
    default:
      return std::string();
  }
}

// A labelled line: "Label: value" / "标签：value".
struct Line {
  std::string label;
  std::string value;
};

}  // namespace

std::string RelativeTime(absl::Time due, absl::Time at,
                         absl::string_view language) {
  return RelativeTimeText(due, at, SentencesFor(language));
}

std::string FullAlertPointer(absl::string_view tenant,
                             absl::string_view language) {
  return absl::Substitute(SentencesFor(language).full_alerts, tenant);
}

AlertMessage RenderAlert(const v1::Alert& alert, absl::string_view language) {
  const Phrases& words = PhrasesFor(language);
  const Sentences& s = SentencesFor(language);
  const v1::AlertChange change = ChangeOf(alert);
  const bool cleared = change == v1::CLEARED;
  const absl::Time at = FromTimestamp(alert.at());

  const KindText kind = DescribeKind(
      KindInput{alert, words, s, EvidenceText(alert, words),
                HasMoney(alert) ? words.Money(MoneyText(alert)) : std::string(),
                alert.has_due_at() ? UtcText(FromTimestamp(alert.due_at()))
                                   : std::string()});
  // Falls back to the watcher's words when the kind has none of its own.
  const std::string subject =
      kind.subject.empty() ? alert.key().subject() : kind.subject;
  const std::string risk = !kind.risk.empty() ? kind.risk
                           : !alert.summary().empty()
                               ? alert.summary()
                               : words.KindTitle(alert.key().kind());
  const std::string where = WhereText(alert, s);

  AlertMessage m;
  m.title = absl::Substitute(
      s.title, words.Severity(alert.severity()), words.Change(change),
      words.KindTitle(alert.key().kind()), where, Paren(s, subject));

  std::vector<Line> lines;
  lines.push_back(
      {words.labels().shop,
       alert.key().shop_id().empty()
           ? absl::Substitute(s.tenant_all_shops, alert.key().tenant())
       : subject.empty()
           ? where
           : absl::Substitute(s.shop_and_subject, where, subject)});
  lines.push_back({words.labels().at_risk, risk});
  if (alert.has_due_at()) {
    const absl::Time due = FromTimestamp(alert.due_at());
    std::string value = UtcText(due);
    if (!cleared)
      absl::StrAppend(&value, Paren(s, RelativeTimeText(due, at, s)));
    lines.push_back({words.DueLabel(alert.key().kind()), value});
  }
  if (HasMoney(alert)) {
    lines.push_back(
        {words.labels().money_at_risk, words.Money(MoneyText(alert))});
  }
  if (!cleared) {
    m.action = kind.action.empty() ? alert.action() : kind.action;
    if (!m.action.empty()) lines.push_back({words.labels().action, m.action});
  }
  lines.push_back({words.labels().status, StatusText(alert, change, words, s)});
  const std::string trace = absl::StrCat(
      AlertKeyString(alert.key()), " · ", words.labels().sequence, " ",
      alert.sequence(), alert.stage().empty() ? "" : " · ",
      alert.stage().empty() ? "" : absl::StrCat(words.labels().stage, " "),
      words.Stage(alert.stage()));
  lines.push_back({words.labels().alert, trace});

  const absl::string_view sep = words.labels().separator;
  std::vector<std::string> text_lines = {m.title};
  std::vector<std::string> md_lines = {absl::StrCat("### ", m.title)};
  for (const Line& l : lines) {
    text_lines.push_back(absl::StrCat(l.label, sep, l.value));
    md_lines.push_back(absl::StrCat("**", l.label, "**", sep, l.value));
    if (&l == &lines[1]) {  // risk details follow the risk sentence
      for (const std::string& d : kind.details) {
        text_lines.push_back(absl::StrCat("  - ", d));
        // "> " lines: WeCom shows no "- " lists; DingTalk and Feishu
        // render quotes too.
        md_lines.push_back(absl::StrCat("> ", d));
      }
    }
  }
  m.text = absl::StrJoin(text_lines, "\n");
  // Blank lines between paragraphs: DingTalk's Markdown ignores single line
  // breaks; WeCom and Slack render both.
  m.markdown = absl::StrJoin(md_lines, "\n\n");
  return m;
}

}  // namespace depositd::notifier
