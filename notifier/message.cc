#include "notifier/message.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "depositd/v1/readiness.pb.h"
#include "notifier/alert_key.h"
#include "notifier/phrases.h"
#include "watchers/currency.h"
#include "watchers/evidence_keys.h"
#include "watchers/timestamps.h"

namespace depositd::notifier {
namespace {

using watchers::FromTimestamp;
namespace evidence = watchers::evidence;

// The domain's words in the message's language.
const Phrases& Words(bool zh) { return PhrasesFor(zh ? "zh-CN" : "en"); }

// Evidence lookup: "" when absent. Amounts (formatted money) come in the
// message's language.
class Evidence {
 public:
  Evidence(const v1::Alert& alert, bool zh) : alert_(alert), zh_(zh) {}
  std::string operator[](absl::string_view key) const {
    auto it = alert_.evidence().find(std::string(key));
    if (it == alert_.evidence().end()) return std::string();
    if (key == evidence::kAmount || key == evidence::kBalance ||
        key == evidence::kRequired || key == evidence::kShortfall ||
        key == evidence::kOutstanding) {
      return Words(zh_).Money(it->second);
    }
    return it->second;
  }
  bool Has(absl::string_view key) const {
    return alert_.evidence().contains(std::string(key));
  }

 private:
  const v1::Alert& alert_;
  const bool zh_;
};

std::string UtcText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", t, absl::UTCTimeZone());
}

// "3 days 4 h", "2 h 5 min", "12 min" / "3 天 4 小时", …: the largest whole
// unit, plus the next one while the first is small (so "1 day 23 h" is not
// rounded to "1 day").
std::string DurationText(absl::Duration d, bool zh) {
  if (d < absl::ZeroDuration()) d = -d;
  const int64_t minutes = absl::ToInt64Minutes(d);
  const int64_t days = minutes / (24 * 60);
  const int64_t hours = (minutes / 60) % 24;
  const int64_t mins = minutes % 60;
  auto day = [&](int64_t n) {
    return zh ? absl::StrCat(n, " 天")
              : absl::StrCat(n, n == 1 ? " day" : " days");
  };
  auto hour = [&](int64_t n) {
    return zh ? absl::StrCat(n, " 小时") : absl::StrCat(n, " h");
  };
  auto minute = [&](int64_t n) {
    return zh ? absl::StrCat(n, " 分钟") : absl::StrCat(n, " min");
  };
  if (days > 0) {
    if (days < 3 && hours > 0) return absl::StrCat(day(days), " ", hour(hours));
    return day(days);
  }
  if (hours > 0) {
    if (hours < 3 && mins > 0)
      return absl::StrCat(hour(hours), " ", minute(mins));
    return hour(hours);
  }
  return minute(mins);
}

// The effective change: the field, or derived from state/repeat for
// transitions written before AlertChange existed.
v1::AlertChange ChangeOf(const v1::Alert& alert) {
  if (alert.change() != v1::ALERT_CHANGE_UNSPECIFIED) return alert.change();
  if (alert.state() == v1::RESOLVED) return v1::CLEARED;
  if (alert.repeat()) return v1::REPEATED;
  return v1::OPENED;
}

// What the subject names, in words: "dispute D-1" / "纠纷 D-1".
std::string SubjectText(const v1::Alert& alert, bool zh) {
  const std::string& s = alert.key().subject();
  if (s.empty()) return "";
  switch (alert.key().kind()) {
    case v1::DISPUTE_RESPONSE_DUE:
      return zh ? absl::StrCat("纠纷 ", s) : absl::StrCat("dispute ", s);
    case v1::APPEAL_WINDOW_CLOSING:
      return zh ? absl::StrCat("扣款 ", s) : absl::StrCat("deduction ", s);
    case v1::BALANCE_SHORT:
      return zh ? absl::StrCat("币种 ", s) : absl::StrCat("currency ", s);
    case v1::UNPAID_FEES:
      return zh ? absl::StrCat("费用 ", s) : absl::StrCat("fee ", s);
    case v1::METRIC_BELOW_THRESHOLD:
      return zh ? absl::StrCat("指标 ", Words(zh).Metric(s))
                : absl::StrCat("metric ", Words(zh).Metric(s));
    case v1::SINK_FAILING:
      return zh ? absl::StrCat("通知渠道 ", s) : absl::StrCat("sink ", s);
    case v1::REOPEN_COOLING_OFF:
      if (s == "reopen") return zh ? "重新开店" : "reopen";
      if (s == "registration") return zh ? "新店注册" : "new shop registration";
      return s;
    default:
      return s;
  }
}

// "tenant acme" for tenant-wide alerts, else "acme/shop-1".
std::string WhereText(const v1::Alert& alert, bool zh) {
  if (alert.key().shop_id().empty()) {
    return zh ? absl::StrCat("租户 ", alert.key().tenant())
              : absl::StrCat("tenant ", alert.key().tenant());
  }
  return absl::StrCat(alert.key().tenant(), "/", alert.key().shop_id());
}

bool HasMoney(const v1::Alert& alert) {
  return alert.has_amount_at_risk() &&
         !alert.amount_at_risk().currency().empty();
}

std::string MoneyText(const v1::Alert& alert) {
  return watchers::FormatMoney(alert.amount_at_risk().minor_units(),
                               alert.amount_at_risk().currency());
}

// The due time "2024-05-01 00:00 UTC" or "" when unset.
std::string DueUtc(const v1::Alert& alert) {
  return alert.has_due_at() ? UtcText(FromTimestamp(alert.due_at())) : "";
}

// What is at risk, one sentence (and detail lines for CLOSURE_BLOCKED), in
// words built from kind, evidence and stage. Falls back to the watcher's
// summary when the evidence a sentence needs is missing.
struct RiskText {
  std::string sentence;
  std::vector<std::string> details;
};

RiskText DescribeRisk(const v1::Alert& alert, bool zh) {
  const Evidence ev(alert, zh);
  const std::string money =
      HasMoney(alert) ? Words(zh).Money(MoneyText(alert)) : "";
  const std::string stage = alert.stage();
  RiskText out;
  switch (alert.key().kind()) {
    case v1::INACTIVITY: {
      if (!ev.Has(evidence::kDaysWithoutSale) || !ev.Has(evidence::kLimitDays))
        break;
      const std::string days = ev[evidence::kDaysWithoutSale];
      const std::string limit = ev[evidence::kLimitDays];
      const std::string pct = ev[evidence::kDeductionPercent];
      const bool crossed = stage == "crossed";
      if (zh) {
        const std::string amount = money.empty() ? "" : "（" + money + "）";
        out.sentence =
            crossed ? absl::StrCat("已连续 ", days, " 天无销售，已超过 ", limit,
                                   " 天的限制：保证金的 ", pct, "%", amount,
                                   "将被扣除")
                    : absl::StrCat("已连续 ", days, " 天无销售；满 ", limit,
                                   " 天将扣除保证金的 ", pct, "%", amount);
      } else {
        const std::string amount = money.empty() ? "" : " (" + money + ")";
        out.sentence =
            crossed ? absl::StrCat(days, " days without a sale: the ", limit,
                                   "-day limit is crossed and ", pct,
                                   "% of the deposit", amount, " is deducted")
                    : absl::StrCat(days, " days without a sale; at ", limit,
                                   " days ", pct, "% of the deposit", amount,
                                   " is deducted");
      }
      break;
    }
    case v1::DISPUTE_RESPONSE_DUE: {
      const std::string id = ev.Has(evidence::kDisputeId)
                                 ? ev[evidence::kDisputeId]
                                 : alert.key().subject();
      if (id.empty()) break;
      std::vector<std::string> about;
      if (ev.Has(evidence::kDisputeKind)) {
        about.push_back(Words(zh).DisputeKind(ev[evidence::kDisputeKind]));
      }
      if (ev.Has(evidence::kOrderId)) {
        about.push_back(zh ? absl::StrCat("订单 ", ev[evidence::kOrderId])
                           : absl::StrCat("order ", ev[evidence::kOrderId]));
      }
      const bool breached = stage == "breached";
      if (zh) {
        const std::string a =
            about.empty() ? "" : "（" + absl::StrJoin(about, "，") + "）";
        out.sentence = absl::StrCat(
            "纠纷 ", id, a.empty() ? " " : a,
            breached ? "已超过回复期限仍未回复" : "尚未回复，须在期限前答复");
        if (!money.empty()) absl::StrAppend(&out.sentence, "，涉及 ", money);
      } else {
        const std::string a =
            about.empty() ? "" : " (" + absl::StrJoin(about, ", ") + ")";
        out.sentence =
            breached
                ? absl::StrCat("dispute ", id, a,
                               " passed its response deadline unanswered")
                : absl::StrCat("dispute ", id, a,
                               " is unanswered and must be answered before "
                               "its deadline");
        if (!money.empty())
          absl::StrAppend(&out.sentence, "; ", money, " at stake");
      }
      break;
    }
    case v1::APPEAL_WINDOW_CLOSING: {
      const std::string id = ev.Has(evidence::kDeductionId)
                                 ? ev[evidence::kDeductionId]
                                 : alert.key().subject();
      if (id.empty()) break;
      const std::string amount =
          ev.Has(evidence::kAmount) ? ev[evidence::kAmount] : money;
      std::vector<std::string> about;
      if (!amount.empty()) about.push_back(amount);
      if (!ev[evidence::kReason].empty()) {
        about.push_back(zh ? absl::StrCat("原因：", ev[evidence::kReason])
                           : absl::StrCat("reason: ", ev[evidence::kReason]));
      }
      if (ev[evidence::kCounterfeit] == "true") {
        about.push_back(zh ? "涉及假货认定" : "counterfeit finding");
      }
      if (zh) {
        out.sentence = absl::StrCat(
            "扣款 ", id,
            about.empty() ? " " : "（" + absl::StrJoin(about, "，") + "）",
            "的申诉期即将截止，尚未提交申诉；截止后扣款不可再申诉");
      } else {
        out.sentence = absl::StrCat(
            "the appeal window for deduction ", id,
            about.empty() ? "" : " (" + absl::StrJoin(about, ", ") + ")",
            " is closing and no appeal is filed; after it closes the "
            "deduction is final");
      }
      break;
    }
    case v1::BALANCE_SHORT: {
      if (!ev.Has(evidence::kBalance) || !ev.Has(evidence::kRequired)) break;
      const std::string shortfall =
          ev.Has(evidence::kShortfall) ? ev[evidence::kShortfall] : money;
      out.sentence =
          zh ? absl::StrCat("保证金余额 ", ev[evidence::kBalance],
                            " 低于要求的 ", ev[evidence::kRequired], "，差额 ",
                            shortfall)
             : absl::StrCat("the deposit balance ", ev[evidence::kBalance],
                            " is below the required ", ev[evidence::kRequired],
                            " (short by ", shortfall, ")");
      break;
    }
    case v1::UNPAID_FEES: {
      const std::string id = ev.Has(evidence::kFeeId) ? ev[evidence::kFeeId]
                                                      : alert.key().subject();
      if (id.empty() || !ev.Has(evidence::kDaysOverdue)) break;
      const std::string owed =
          ev.Has(evidence::kOutstanding) ? ev[evidence::kOutstanding] : money;
      const std::string cat = Words(zh).FeeCategory(ev[evidence::kCategory]);
      out.sentence =
          zh ? absl::StrCat("费用 ", id, cat.empty() ? " " : "（" + cat + "）",
                            owed, " 已逾期 ", ev[evidence::kDaysOverdue],
                            " 天未缴；未缴费用会阻止保证金退还")
             : absl::StrCat("fee ", id, cat.empty() ? "" : " (" + cat + ")",
                            " of ", owed, " is unpaid ",
                            ev[evidence::kDaysOverdue],
                            " days after it was due; unpaid fees block the "
                            "deposit refund");
      break;
    }
    case v1::METRIC_BELOW_THRESHOLD: {
      const std::string metric = ev.Has(evidence::kMetric)
                                     ? ev[evidence::kMetric]
                                     : alert.key().subject();
      if (metric.empty() || !ev.Has(evidence::kValue) ||
          !ev.Has(evidence::kThreshold))
        break;
      const bool maximum = metric == "return_rate_pct";
      out.sentence =
          zh ? absl::StrCat(
                   Words(zh).Metric(metric), "为 ", ev[evidence::kValue], "，",
                   maximum ? "高于上限 " : "低于要求 ",
                   ev[evidence::kThreshold], "；平台退还保证金前会检查该指标")
             : absl::StrCat(
                   "the ", Words(zh).Metric(metric), " is ",
                   ev[evidence::kValue], ", ",
                   maximum ? "above the maximum " : "below the minimum ",
                   ev[evidence::kThreshold],
                   "; the platform checks it before refunding the "
                   "deposit");
      break;
    }
    case v1::CLOSURE_BLOCKED: {
      std::map<int, std::string> blockers;  // by condition number
      for (const auto& [k, v] : alert.evidence()) {
        v1::Condition c;
        if (v1::Condition_Parse(k, &c) && c != v1::CONDITION_UNSPECIFIED) {
          blockers[c] = v;
        }
      }
      if (blockers.empty()) break;
      const std::string since = ev[evidence::kClosureRequestedAt];
      if (zh) {
        out.sentence = absl::StrCat(
            since.empty() ? "已申请关店" : "已于 " + since + " 申请关店",
            "，但仍有 ", blockers.size(), " 项条件阻止保证金退还：");
      } else {
        out.sentence = absl::StrCat(
            "closure was requested", since.empty() ? "" : " at " + since,
            " but ", blockers.size(),
            blockers.size() == 1 ? " condition blocks" : " conditions block",
            " the deposit refund:");
      }
      for (const auto& [c, summary] : blockers) {
        const v1::Condition condition = static_cast<v1::Condition>(c);
        const std::string name = v1::Condition_Name(condition);
        out.details.push_back(absl::StrCat(
            Words(zh).Condition(condition), Words(zh).labels().separator,
            Words(zh).Blocker(
                condition, ev[name + evidence::kBlockerCountSuffix],
                ev[name + evidence::kBlockerAmountsSuffix], summary)));
      }
      break;
    }
    case v1::REFUND_OVERDUE: {
      const std::string expected = ev.Has(evidence::kExpectedPaidAt)
                                       ? ev[evidence::kExpectedPaidAt]
                                       : DueUtc(alert);
      if (expected.empty()) break;
      out.sentence =
          zh ? absl::StrCat("保证金退款预计于 ", expected, " 到账，至今未收到",
                            money.empty() ? "" : "（" + money + "）")
             : absl::StrCat(
                   "the deposit refund", money.empty() ? "" : " of " + money,
                   " was expected by ", expected, " and has not arrived");
      break;
    }
    case v1::ACCOUNT_MISMATCH: {
      if (!ev.Has(evidence::kRefundAccount) ||
          !ev.Has(evidence::kPayingAccounts))
        break;
      out.sentence =
          zh ? absl::StrCat("退款账户 ", ev[evidence::kRefundAccount],
                            " 与缴纳保证金的账户（",
                            ev[evidence::kPayingAccounts],
                            "）在渠道、账户或币种上不一致；保证金只能原路退回")
             : absl::StrCat("the refund account ", ev[evidence::kRefundAccount],
                            " differs from the paying accounts (",
                            ev[evidence::kPayingAccounts],
                            ") in channel, account or currency; deposits are "
                            "refunded by the original path only");
      break;
    }
    case v1::REOPEN_COOLING_OFF: {
      if (!ev.Has(evidence::kCoolingOffDays) || !ev.Has(evidence::kClosedAt))
        break;
      const std::string days = ev[evidence::kCoolingOffDays];
      const bool registration = alert.key().subject() == "registration";
      const std::string entity = ev[evidence::kLegalEntityId];
      if (zh) {
        out.sentence =
            registration
                ? absl::StrCat(
                      "该店铺于 ", ev[evidence::kAttemptAt], " 注册，",
                      entity.empty() ? "其主体" : "其主体 " + entity + " ",
                      "的另一家店铺于 ", ev[evidence::kClosedAt],
                      " 关店，仍在 ", days,
                      " 天冷静期内；新店可能被拒绝或影响保证金")
                : absl::StrCat("店铺于 ", ev[evidence::kClosedAt],
                               " 关店后，在 ", days, " 天冷静期内（",
                               ev[evidence::kAttemptAt],
                               "）重新开店；可能被拒绝或影响保证金");
      } else {
        out.sentence =
            registration
                ? absl::StrCat("the shop was registered at ",
                               ev[evidence::kAttemptAt], " by ",
                               entity.empty() ? "a legal entity"
                                              : "legal entity " + entity,
                               " whose other shop closed at ",
                               ev[evidence::kClosedAt], ", inside the ", days,
                               "-day cooling-off period; it may be rejected")
                : absl::StrCat("the shop was reopened at ",
                               ev[evidence::kAttemptAt], ", inside the ", days,
                               "-day cooling-off period after its closure at ",
                               ev[evidence::kClosedAt], "; it may be rejected");
      }
      break;
    }
    case v1::FEED_SILENT: {
      int64_t limit = 0;
      if (!absl::SimpleAtoi(ev[evidence::kSilenceMinutes], &limit)) break;
      int64_t minutes = limit;
      if (alert.has_due_at() && alert.has_at()) {
        const absl::Duration past =
            FromTimestamp(alert.at()) - FromTimestamp(alert.due_at());
        if (past > absl::ZeroDuration()) {
          minutes += absl::ToInt64Minutes(past);
        }
      }
      const std::string last = ev[evidence::kLastEventAt];
      const std::string& tenant = alert.key().tenant();
      out.sentence =
          zh ? absl::StrCat("租户 ", tenant, " 已 ", minutes,
                            " 分钟没有推送任何事件",
                            last.empty() ? "" : "（上次 " + last + "）",
                            "——depositd 看不到其店铺的风险，请检查集成")
             : absl::StrCat("no events from tenant ", tenant, " for ", minutes,
                            " minutes",
                            last.empty() ? "" : " (last " + last + ")",
                            " — depositd cannot see its shops' risks; check "
                            "the integration");
      break;
    }
    case v1::FEED_DEAUTHORIZED: {
      const std::string state = ev[evidence::kFeedState];
      if (state == "DEAUTHORIZED" || stage == "revoked") {
        const std::string at = ev[evidence::kChangedAt];
        out.sentence =
            zh ? absl::StrCat("店铺数据授权",
                              at.empty() ? "" : "已于 " + at + " ",
                              "被撤销：depositd 看不到该店铺的订单、纠纷和扣款")
               : absl::StrCat("the shop's feed was revoked",
                              at.empty() ? "" : " at " + at,
                              ": depositd no longer sees its orders, disputes "
                              "or deductions");
      } else {
        const std::string when = ev.Has(evidence::kExpiresAt)
                                     ? ev[evidence::kExpiresAt]
                                     : DueUtc(alert);
        if (when.empty()) break;
        const bool expired = stage == "expired";
        out.sentence =
            zh ? (expired
                      ? absl::StrCat("店铺数据授权已于 ", when,
                                     " 过期：depositd 看不到该店铺")
                      : absl::StrCat("店铺数据授权将于 ", when,
                                     " 过期，过期后 depositd 将看不到该店铺"))
               : (expired
                      ? absl::StrCat("the shop's feed authorization "
                                     "expired at ",
                                     when, ": depositd cannot see this shop")
                      : absl::StrCat("the shop's feed authorization "
                                     "expires at ",
                                     when,
                                     "; after that depositd cannot see "
                                     "this shop"));
      }
      break;
    }
    case v1::SINK_FAILING: {
      const std::string sink = alert.key().subject();
      if (sink.empty() || !ev.Has(evidence::kReason)) break;
      const std::string detail = ev[evidence::kDetail];
      const std::string refused = ev[evidence::kRefusedAlert];
      if (zh) {
        out.sentence = absl::StrCat(
            "通知渠道 ", sink,
            ev.Has(evidence::kSinkType)
                ? "（" + Words(zh).SinkType(ev[evidence::kSinkType]) + "）"
                : " ",
            "拒收告警：", ev[evidence::kReason],
            detail.empty() ? "" : "（" + detail + "）",
            refused.empty() ? "" : "；告警 " + refused + " 未送达该渠道",
            "，该渠道的接收人看不到告警");
      } else {
        out.sentence = absl::StrCat(
            "sink ", sink,
            ev.Has(evidence::kSinkType)
                ? " (" + Words(zh).SinkType(ev[evidence::kSinkType]) + ")"
                : "",
            " refuses alerts: ", ev[evidence::kReason],
            detail.empty() ? "" : " (" + detail + ")",
            refused.empty() ? "" : "; alert " + refused + " did not reach it",
            ", so the people behind it see nothing");
      }
      break;
    }
    default:
      break;
  }
  if (out.sentence.empty()) {
    out.sentence = !alert.summary().empty()
                       ? alert.summary()
                       : Words(zh).KindTitle(alert.key().kind());
  }
  return out;
}

// What to do, in words, per kind; falls back to the watcher's action.
std::string DescribeAction(const v1::Alert& alert, bool zh) {
  const Evidence ev(alert, zh);
  const std::string due = DueUtc(alert);
  const std::string& subject = alert.key().subject();
  switch (alert.key().kind()) {
    case v1::INACTIVITY:
      if (alert.stage() == "crossed") {
        return zh ? "立即完成一笔销售，并联系平台确认是否已扣除保证金"
                  : "Make a sale now and ask the platform about the deduction.";
      }
      if (due.empty()) break;
      return zh ? absl::StrCat("请在 ", due,
                               " 之前完成至少一笔销售，无销售天数将重新计算")
                : absl::StrCat("Make at least one sale before ", due,
                               "; a sale restarts the count.");
    case v1::DISPUTE_RESPONSE_DUE: {
      const std::string id =
          ev.Has(evidence::kDisputeId) ? ev[evidence::kDisputeId] : subject;
      if (ev[evidence::kDisputeKind] == "NOT_RECEIVED") {
        return zh ? absl::StrCat("上传物流签收证明并回复纠纷 ", id)
                  : absl::StrCat(
                        "Upload proof of delivery (logistics "
                        "tracking) and respond to dispute ",
                        id, ".");
      }
      return zh ? absl::StrCat("立即回复纠纷 ", id, " 并提交证据")
                : absl::StrCat("Respond to dispute ", id,
                               " with evidence now.");
    }
    case v1::APPEAL_WINDOW_CLOSING: {
      const std::string id =
          ev.Has(evidence::kDeductionId) ? ev[evidence::kDeductionId] : subject;
      return zh ? absl::StrCat("如有异议，请",
                               due.empty() ? "在截止前" : "在 " + due + " 之前",
                               "对扣款 ", id, " 提交申诉材料")
                : absl::StrCat("If you dispute deduction ", id,
                               ", file the appeal with evidence before ",
                               due.empty() ? "the window closes" : due, ".");
    }
    case v1::BALANCE_SHORT:
      if (!ev.Has(evidence::kRequired)) break;
      return zh ? absl::StrCat("请补缴保证金",
                               ev.Has(evidence::kShortfall)
                                   ? " " + ev[evidence::kShortfall]
                                   : "",
                               "，使余额达到 ", ev[evidence::kRequired])
                : absl::StrCat("Top up the deposit",
                               ev.Has(evidence::kShortfall)
                                   ? " by " + ev[evidence::kShortfall]
                                   : "",
                               " to the required ", ev[evidence::kRequired],
                               ".");
    case v1::UNPAID_FEES: {
      const std::string id =
          ev.Has(evidence::kFeeId) ? ev[evidence::kFeeId] : subject;
      return zh ? absl::StrCat("请尽快缴清费用 ", id,
                               ev.Has(evidence::kOutstanding)
                                   ? "（" + ev[evidence::kOutstanding] + "）"
                                   : "")
                : absl::StrCat("Pay fee ", id,
                               ev.Has(evidence::kOutstanding)
                                   ? " (" + ev[evidence::kOutstanding] + ")"
                                   : "",
                               " now.");
    }
    case v1::METRIC_BELOW_THRESHOLD: {
      const std::string metric =
          ev.Has(evidence::kMetric) ? ev[evidence::kMetric] : subject;
      return zh ? absl::StrCat("改善", Words(zh).Metric(metric),
                               "至达标，否则保证金退还可能被拒绝")
                : absl::StrCat("Bring the ", Words(zh).Metric(metric),
                               " back within the threshold, or the deposit "
                               "refund may be refused.");
    }
    case v1::CLOSURE_BLOCKED:
      return zh ? "逐项处理上述阻碍（纠纷、未缴费用、违规、账户等），全部解除后"
                  "平台才会退还保证金"
                : "Clear each blocker listed above (disputes, fees, "
                  "violations, account, …); the platform refunds the deposit "
                  "only when none remains.";
    case v1::REFUND_OVERDUE:
      return zh ? "联系平台客服催办退款，并保留退款申请与缴款凭证"
                : "Chase the platform's refund team; keep the application "
                  "and the payment receipts.";
    case v1::ACCOUNT_MISMATCH:
      return zh ? "请把退款账户改为原缴款的渠道、账户和币种"
                : "Set the refund account to the paying channel, account and "
                  "currency.";
    case v1::REOPEN_COOLING_OFF:
      return zh ? absl::StrCat("确认平台的冷静期规则后再操作",
                               due.empty() ? "" : "，或等到 " + due + " 之后")
                : absl::StrCat(
                      "Check the platform's cooling-off rule before "
                      "going on",
                      due.empty() ? "" : ", or wait until " + due, ".");
    case v1::FEED_SILENT:
      return zh ? absl::StrCat("请检查租户 ", alert.key().tenant(),
                               " 的集成：事件推送任务、平台授权以及到 depositd "
                               "的网络")
                : absl::StrCat("Check the integration of tenant ",
                               alert.key().tenant(),
                               ": its event pusher, its platform authorization "
                               "and the network path to depositd.");
    case v1::FEED_DEAUTHORIZED:
      if (ev[evidence::kFeedState] == "DEAUTHORIZED" ||
          alert.stage() == "revoked" || alert.stage() == "expired") {
        return zh ? "请在平台卖家中心重新授权集成应用，恢复后补推期间的事件"
                  : "Re-authorize the integration in the platform's seller "
                    "centre, then re-send the events missed meanwhile.";
      }
      return zh ? absl::StrCat("请",
                               due.empty() ? "在过期前" : "在 " + due + " 之前",
                               "于平台卖家中心续期授权")
                : absl::StrCat(
                      "Renew the integration's authorization in the "
                      "platform's seller centre before ",
                      due.empty() ? "it expires" : due, ".");
    case v1::SINK_FAILING:
      return zh ? absl::StrCat(
                      "检查通知渠道 ", subject,
                      " 的地址、密钥（加签）和关键词规则（平台上与配置中）；"
                      "被拒收的告警可用 depositctl alerts list --tenant ",
                      alert.key().tenant(), " 查看")
                : absl::StrCat(
                      "Check sink ", subject,
                      "'s URL, secret (signature) and keyword rule, on the "
                      "platform and in the configuration; the refused alerts "
                      "are listed by depositctl alerts list --tenant ",
                      alert.key().tenant(), ".");
    default:
      break;
  }
  return alert.action();
}

// A labelled line: "Label: value" / "标签：value".
struct Line {
  std::string label;
  std::string value;
};

}  // namespace

std::string RelativeTime(absl::Time due, absl::Time at,
                         absl::string_view language) {
  const bool zh = language == "zh-CN";
  const absl::Duration d = due - at;
  if (d < absl::Minutes(1) && d > -absl::Minutes(1)) return zh ? "现在" : "now";
  const std::string amount = DurationText(d, zh);
  if (d > absl::ZeroDuration()) {
    return zh ? absl::StrCat(amount, "后") : absl::StrCat("in ", amount);
  }
  return zh ? absl::StrCat("已逾期 ", amount)
            : absl::StrCat("overdue by ", amount);
}

std::string FullAlertPointer(absl::string_view tenant,
                             absl::string_view language) {
  return absl::StrCat(language == "zh-CN" ? "完整告警：" : "Full alerts: ",
                      "depositctl alerts list --tenant ", tenant);
}

AlertMessage RenderAlert(const v1::Alert& alert, absl::string_view language) {
  const bool zh = language == "zh-CN";
  const v1::AlertChange change = ChangeOf(alert);
  const bool cleared = change == v1::CLEARED;
  const std::string where = WhereText(alert, zh);
  const std::string subject = SubjectText(alert, zh);
  const std::string kind_title = Words(zh).KindTitle(alert.key().kind());
  const absl::Time at = FromTimestamp(alert.at());
  const absl::Time starts = FromTimestamp(alert.starts_at());

  AlertMessage m;
  if (zh) {
    m.title = absl::StrCat("【", Words(zh).Severity(alert.severity()), "】",
                           Words(zh).Change(change), "：", kind_title, " — ",
                           where, subject.empty() ? "" : "（" + subject + "）");
  } else {
    m.title = absl::StrCat("[", Words(zh).Severity(alert.severity()), "] ",
                           Words(zh).Change(change), ": ", kind_title, " — ",
                           where, subject.empty() ? "" : " (" + subject + ")");
  }

  // Why this transition was sent.
  std::string status;
  switch (change) {
    case v1::OPENED:
      status =
          zh ? absl::StrCat("新告警，", UtcText(starts), " 起触发。")
             : absl::StrCat("New alert, firing since ", UtcText(starts), ".");
      break;
    case v1::ESCALATED:
      status = zh ? absl::StrCat("告警升级：进入阶段 ",
                                 Words(zh).Stage(alert.stage()), "（",
                                 Words(zh).Severity(alert.severity()),
                                 "），自 ", UtcText(starts), " 起持续触发。")
                  : absl::StrCat("Escalated to stage ", alert.stage(), " (",
                                 Words(zh).Severity(alert.severity()),
                                 "); firing since ", UtcText(starts), ".");
      break;
    case v1::REPEATED:
      status =
          zh ? absl::StrCat("重复提醒：自 ", UtcText(starts),
                            " 起持续触发（已 ", DurationText(at - starts, zh),
                            "），尚无人确认。")
             : absl::StrCat("Reminder: still firing since ", UtcText(starts),
                            " (", DurationText(at - starts, zh),
                            ") and not acknowledged.");
      break;
    case v1::ACKNOWLEDGED: {
      const std::string by = alert.acknowledged_by().empty()
                                 ? (zh ? "未知用户" : "someone")
                                 : alert.acknowledged_by();
      status = zh ? absl::StrCat("已由 ", by,
                                 " 确认：不再重复提醒，升级和恢复仍会通知。")
                  : absl::StrCat("Acknowledged by ", by,
                                 ": reminders stop; escalation and "
                                 "resolution are still sent.");
      break;
    }
    case v1::UPDATED:
      // Not a page: the same alert, saying what is true now.
      status =
          zh ? absl::StrCat("告警内容已更新（非新告警）：自 ", UtcText(starts),
                            " 起持续触发，以下为当前情况。")
             : absl::StrCat("Updated (not a new page): firing since ",
                            UtcText(starts),
                            "; what follows is the situation now.");
      break;
    case v1::CLEARED: {
      const absl::Time ends =
          alert.has_ends_at() ? FromTimestamp(alert.ends_at()) : at;
      status =
          zh ? absl::StrCat("已恢复：", UtcText(ends), " 解除（持续 ",
                            DurationText(ends - starts, zh), "），无需再处理。")
             : absl::StrCat("Resolved at ", UtcText(ends), " (lasted ",
                            DurationText(ends - starts, zh),
                            "); no action needed any more.");
      break;
    }
    default:
      break;
  }

  const RiskText risk = DescribeRisk(alert, zh);
  std::vector<Line> lines;
  lines.push_back(
      {Words(zh).labels().shop,
       alert.key().shop_id().empty()
           ? (zh ? absl::StrCat("租户 ", alert.key().tenant(), "（全部店铺）")
                 : absl::StrCat("tenant ", alert.key().tenant(),
                                " (all shops)"))
           : absl::StrCat(
                 where, subject.empty() ? "" : (zh ? "，" : ", ") + subject)});
  lines.push_back({Words(zh).labels().at_risk, risk.sentence});
  if (alert.has_due_at()) {
    const absl::Time due = FromTimestamp(alert.due_at());
    std::string value = UtcText(due);
    if (!cleared) {
      absl::StrAppend(&value, zh ? "（" : " (", RelativeTime(due, at, language),
                      zh ? "）" : ")");
    }
    lines.push_back({Words(zh).DueLabel(alert.key().kind()), value});
  }
  if (HasMoney(alert)) {
    lines.push_back(
        {Words(zh).labels().money_at_risk, Words(zh).Money(MoneyText(alert))});
  }
  if (!cleared) {
    m.action = DescribeAction(alert, zh);
    if (!m.action.empty()) {
      lines.push_back({Words(zh).labels().action, m.action});
    }
  }
  lines.push_back({Words(zh).labels().status, status});
  const std::string trace = absl::StrCat(
      AlertKeyString(alert.key()), " · ", Words(zh).labels().sequence, " ",
      alert.sequence(), alert.stage().empty() ? "" : " · ",
      alert.stage().empty() ? "" : absl::StrCat(Words(zh).labels().stage, " "),
      Words(zh).Stage(alert.stage()));
  lines.push_back({Words(zh).labels().alert, trace});

  const absl::string_view sep = Words(zh).labels().separator;
  std::vector<std::string> text_lines = {m.title};
  std::vector<std::string> md_lines = {absl::StrCat("### ", m.title)};
  for (const Line& l : lines) {
    text_lines.push_back(absl::StrCat(l.label, sep, l.value));
    md_lines.push_back(absl::StrCat("**", l.label, "**", sep, l.value));
    if (&l == &lines[1]) {  // risk details follow the risk sentence
      for (const std::string& d : risk.details) {
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
