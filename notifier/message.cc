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
#include "notifier/payload.h"
#include "watchers/currency.h"
#include "watchers/timestamps.h"

namespace depositd::notifier {
namespace {

using watchers::FromTimestamp;

// Evidence lookup: "" when absent.
class Evidence {
 public:
  explicit Evidence(const v1::Alert& alert) : alert_(alert) {}
  std::string operator[](absl::string_view key) const {
    auto it = alert_.evidence().find(std::string(key));
    return it == alert_.evidence().end() ? std::string() : it->second;
  }
  bool Has(absl::string_view key) const {
    return alert_.evidence().contains(std::string(key));
  }

 private:
  const v1::Alert& alert_;
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

std::string SeverityWord(v1::Severity s, bool zh) {
  switch (s) {
    case v1::CRITICAL:
      return zh ? "严重" : "CRITICAL";
    case v1::WARNING:
      return zh ? "警告" : "WARNING";
    case v1::INFO:
      return zh ? "提示" : "INFO";
    default:
      return zh ? "未知" : "UNKNOWN";
  }
}

// The effective change: the field, or derived from state/repeat for
// transitions written before AlertChange existed.
v1::AlertChange ChangeOf(const v1::Alert& alert) {
  if (alert.change() != v1::ALERT_CHANGE_UNSPECIFIED) return alert.change();
  if (alert.state() == v1::RESOLVED) return v1::CLEARED;
  if (alert.repeat()) return v1::REPEATED;
  return v1::OPENED;
}

std::string ChangeWord(v1::AlertChange c, bool zh) {
  switch (c) {
    case v1::ESCALATED:
      return zh ? "升级" : "ESCALATED";
    case v1::REPEATED:
      return zh ? "提醒" : "REMINDER";
    case v1::ACKNOWLEDGED:
      return zh ? "已确认" : "ACKNOWLEDGED";
    case v1::CLEARED:
      return zh ? "已恢复" : "RESOLVED";
    case v1::OPENED:
    default:
      return zh ? "告警" : "FIRING";
  }
}

std::string KindTitle(v1::AlertKind kind, bool zh) {
  switch (kind) {
    case v1::INACTIVITY:
      return zh ? "长期无销售" : "No sales (inactivity)";
    case v1::DISPUTE_RESPONSE_DUE:
      return zh ? "纠纷待回复" : "Dispute response due";
    case v1::APPEAL_WINDOW_CLOSING:
      return zh ? "扣款申诉期即将截止" : "Appeal window closing";
    case v1::BALANCE_SHORT:
      return zh ? "保证金余额不足" : "Deposit balance short";
    case v1::UNPAID_FEES:
      return zh ? "费用逾期未缴" : "Unpaid fees";
    case v1::METRIC_BELOW_THRESHOLD:
      return zh ? "店铺指标不达标" : "Shop metric out of range";
    case v1::CLOSURE_BLOCKED:
      return zh ? "关店退保证金受阻" : "Closure blocked";
    case v1::REFUND_OVERDUE:
      return zh ? "保证金退款逾期" : "Deposit refund overdue";
    case v1::ACCOUNT_MISMATCH:
      return zh ? "退款账户不一致" : "Refund account mismatch";
    case v1::REOPEN_COOLING_OFF:
      return zh ? "冷静期内重新开店" : "Reopen inside cooling-off";
    case v1::FEED_SILENT:
      return zh ? "数据推送中断" : "Feed silent";
    case v1::FEED_DEAUTHORIZED:
      return zh ? "店铺数据授权失效" : "Feed authorization lost";
    case v1::SINK_FAILING:
      return zh ? "通知渠道拒收告警" : "Sink refuses alerts";
    default:
      return zh ? "告警" : "Alert";
  }
}

std::string MetricName(absl::string_view metric, bool zh) {
  if (metric == "fulfilment_rate_pct") return zh ? "履约率" : "fulfilment rate";
  if (metric == "return_rate_pct") return zh ? "退货率" : "return rate";
  if (metric == "dsr") return zh ? "店铺评分" : "shop rating (DSR)";
  return std::string(metric);
}

std::string DisputeKindWord(absl::string_view kind, bool zh) {
  if (kind == "NOT_RECEIVED")
    return zh ? "买家称未收到货" : "item not received";
  if (kind == "A_TO_Z") return zh ? "A-to-Z 索赔" : "A-to-Z claim";
  if (kind == "REFUND_REQUEST") return zh ? "退款申请" : "refund request";
  if (kind == "RETURN") return zh ? "退货" : "return";
  if (kind == "COMPLAINT") return zh ? "投诉" : "complaint";
  if (kind == "ARBITRATION") return zh ? "仲裁" : "arbitration";
  return std::string(kind);
}

std::string FeeCategoryWord(absl::string_view c, bool zh) {
  if (c == "FINE") return zh ? "罚款" : "fine";
  if (c == "TECHNICAL_SERVICE")
    return zh ? "技术服务费" : "technical service fee";
  if (c == "ADS_SETTLEMENT") return zh ? "广告费结算" : "ads settlement";
  if (c == "LOGISTICS_ADVANCE") return zh ? "物流垫付费" : "logistics advance";
  if (c == "ORDER_REFUND_OWED")
    return zh ? "订单退款欠款" : "order refund owed";
  if (c == "OTHER_FEE") return zh ? "其他费用" : "other fee";
  return std::string(c);
}

std::string ConditionWord(v1::Condition c, bool zh) {
  switch (c) {
    case v1::R1_ORDERS_IN_FLIGHT:
      return zh ? "R1 在途订单" : "R1 orders in flight";
    case v1::R2_RETURN_WINDOWS_OPEN:
      return zh ? "R2 退货期未结束" : "R2 return windows open";
    case v1::R3_OPEN_DISPUTES:
      return zh ? "R3 未结纠纷" : "R3 open disputes";
    case v1::R4_UNPAID_FEES:
      return zh ? "R4 未缴费用" : "R4 unpaid fees";
    case v1::R5_PENDING_VIOLATIONS:
      return zh ? "R5 未处理违规" : "R5 pending violations";
    case v1::R6_BALANCE_SHORT:
      return zh ? "R6 保证金不足" : "R6 balance short";
    case v1::R7_WAITING_PERIOD:
      return zh ? "R7 关店等待期" : "R7 waiting period";
    case v1::R8_REFUND_ACCOUNT:
      return zh ? "R8 退款账户" : "R8 refund account";
    case v1::R9_HEALTH_METRICS:
      return zh ? "R9 店铺指标" : "R9 health metrics";
    case v1::R10_DISCOUNT_CLAWBACK:
      return zh ? "R10 优惠追缴" : "R10 discount clawback";
    default:
      return v1::Condition_Name(c);
  }
}

// A sink type's name as people know the platform.
std::string SinkTypeWord(absl::string_view type, bool zh) {
  if (type == "DINGTALK") return zh ? "钉钉" : "DingTalk";
  if (type == "FEISHU") return zh ? "飞书" : "Feishu";
  if (type == "WECOM") return zh ? "企业微信" : "WeCom";
  if (type == "SLACK") return "Slack";
  if (type == "WEBHOOK") return "Webhook";
  if (type == "ALERTMANAGER") return "Alertmanager";
  return std::string(type);
}

// A CLOSURE_BLOCKED blocker in Chinese, from the structured evidence
// (watchers/ words its summary in English only): how many things block and
// the amounts involved. Without a count (alerts written before the count
// was recorded), what the condition asks for.
std::string BlockerText(v1::Condition c, const std::string& count_text,
                        const std::string& amounts) {
  int64_t n = 0;
  const bool counted = absl::SimpleAtoi(count_text, &n) && n > 0;
  const std::string count = absl::StrCat(n);
  const std::string money = amounts.empty() ? "" : "：" + amounts;
  switch (c) {
    case v1::R1_ORDERS_IN_FLIGHT:
      return counted ? absl::StrCat(count,
                                    " 笔订单尚未完成（未发货、已发货或运输中）")
                     : "仍有订单尚未完成";
    case v1::R2_RETURN_WINDOWS_OPEN:
      return counted ? absl::StrCat(count,
                                    " 笔已签收订单仍在退货期内，到期后自动解除")
                     : "仍有订单在退货期内，到期后自动解除";
    case v1::R3_OPEN_DISPUTES:
      return counted ? absl::StrCat(count, " 个纠纷、索赔或售后申请未结")
                     : "仍有纠纷、索赔或售后申请未结";
    case v1::R4_UNPAID_FEES:
      return absl::StrCat(counted ? count + " 笔费用未缴" : "仍有费用未缴",
                          money);
    case v1::R5_PENDING_VIOLATIONS:
      return counted ? absl::StrCat(count, " 项违规未处理") : "仍有违规未处理";
    case v1::R6_BALANCE_SHORT:
      return absl::StrCat("保证金余额不足", money.empty() ? "" : "，差额",
                          money);
    case v1::R7_WAITING_PERIOD:
      return "关店等待期未结束";
    case v1::R8_REFUND_ACCOUNT:
      return counted ? absl::StrCat(count, " 笔保证金缴款与退款账户不一致")
                     : "未设置退款账户或与缴款账户不一致";
    case v1::R9_HEALTH_METRICS:
      return "店铺指标未达到平台要求";
    case v1::R10_DISCOUNT_CLAWBACK:
      return absl::StrCat("保证金优惠待追缴", money);
    default:
      return "条件未满足";
  }
}

// A stage name in words: "30d" / "30 天", "breached" / "已超期", ….
// English keeps the stage's own name.
std::string StageWord(const std::string& stage, bool zh) {
  if (!zh || stage.empty()) return stage;
  int64_t n = 0;
  auto number_with = [&](absl::string_view prefix, absl::string_view suffix) {
    absl::string_view s = stage;
    return absl::ConsumePrefix(&s, prefix) && absl::ConsumeSuffix(&s, suffix) &&
           absl::SimpleAtoi(s, &n);
  };
  if (number_with("day", "")) return absl::StrCat("第 ", n, " 天");
  if (number_with("", "d")) return absl::StrCat(n, " 天");
  if (number_with("", "h")) return absl::StrCat(n, " 小时");
  if (stage == "breached") return "已超期";
  if (stage == "short") return "不足";
  if (stage == "below") return "不达标";
  if (stage == "overdue") return "已逾期";
  if (stage == "mismatch") return "不一致";
  if (stage == "inside") return "冷静期内";
  if (stage == "crossed") return "已越限";
  if (stage == "revoked") return "已撤销";
  if (stage == "expired") return "已过期";
  if (stage == "blocked") return "受阻";
  if (stage == "silent") return "已静默";
  return stage;
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
      return zh ? absl::StrCat("指标 ", MetricName(s, zh))
                : absl::StrCat("metric ", MetricName(s, zh));
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
  const Evidence ev(alert);
  const std::string money = HasMoney(alert) ? MoneyText(alert) : "";
  const std::string stage = alert.stage();
  RiskText out;
  switch (alert.key().kind()) {
    case v1::INACTIVITY: {
      if (!ev.Has("days_without_sale") || !ev.Has("limit_days")) break;
      const std::string days = ev["days_without_sale"];
      const std::string limit = ev["limit_days"];
      const std::string pct = ev["deduction_percent"];
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
      const std::string id =
          ev.Has("dispute_id") ? ev["dispute_id"] : alert.key().subject();
      if (id.empty()) break;
      std::vector<std::string> about;
      if (ev.Has("dispute_kind")) {
        about.push_back(DisputeKindWord(ev["dispute_kind"], zh));
      }
      if (ev.Has("order_id")) {
        about.push_back(zh ? absl::StrCat("订单 ", ev["order_id"])
                           : absl::StrCat("order ", ev["order_id"]));
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
      const std::string id =
          ev.Has("deduction_id") ? ev["deduction_id"] : alert.key().subject();
      if (id.empty()) break;
      const std::string amount = ev.Has("amount") ? ev["amount"] : money;
      std::vector<std::string> about;
      if (!amount.empty()) about.push_back(amount);
      if (!ev["reason"].empty()) {
        about.push_back(zh ? absl::StrCat("原因：", ev["reason"])
                           : absl::StrCat("reason: ", ev["reason"]));
      }
      if (ev["counterfeit"] == "true") {
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
      if (!ev.Has("balance") || !ev.Has("required")) break;
      const std::string shortfall =
          ev.Has("shortfall") ? ev["shortfall"] : money;
      out.sentence =
          zh ? absl::StrCat("保证金余额 ", ev["balance"], " 低于要求的 ",
                            ev["required"], "，差额 ", shortfall)
             : absl::StrCat("the deposit balance ", ev["balance"],
                            " is below the required ", ev["required"],
                            " (short by ", shortfall, ")");
      break;
    }
    case v1::UNPAID_FEES: {
      const std::string id =
          ev.Has("fee_id") ? ev["fee_id"] : alert.key().subject();
      if (id.empty() || !ev.Has("days_overdue")) break;
      const std::string owed =
          ev.Has("outstanding") ? ev["outstanding"] : money;
      const std::string cat = FeeCategoryWord(ev["category"], zh);
      out.sentence =
          zh ? absl::StrCat("费用 ", id, cat.empty() ? " " : "（" + cat + "）",
                            owed, " 已逾期 ", ev["days_overdue"],
                            " 天未缴；未缴费用会阻止保证金退还")
             : absl::StrCat("fee ", id, cat.empty() ? "" : " (" + cat + ")",
                            " of ", owed, " is unpaid ", ev["days_overdue"],
                            " days after it was due; unpaid fees block the "
                            "deposit refund");
      break;
    }
    case v1::METRIC_BELOW_THRESHOLD: {
      const std::string metric =
          ev.Has("metric") ? ev["metric"] : alert.key().subject();
      if (metric.empty() || !ev.Has("value") || !ev.Has("threshold")) break;
      const bool maximum = metric == "return_rate_pct";
      out.sentence =
          zh ? absl::StrCat(MetricName(metric, zh), "为 ", ev["value"], "，",
                            maximum ? "高于上限 " : "低于要求 ",
                            ev["threshold"], "；平台退还保证金前会检查该指标")
             : absl::StrCat(
                   "the ", MetricName(metric, zh), " is ", ev["value"], ", ",
                   maximum ? "above the maximum " : "below the minimum ",
                   ev["threshold"],
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
      const std::string since = ev["closure_requested_at"];
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
        out.details.push_back(
            absl::StrCat(ConditionWord(condition, zh), zh ? "：" : ": ",
                         zh ? BlockerText(condition, ev[name + ".count"],
                                          ev[name + ".amounts"])
                            : summary));
      }
      break;
    }
    case v1::REFUND_OVERDUE: {
      const std::string expected =
          ev.Has("expected_paid_at") ? ev["expected_paid_at"] : DueUtc(alert);
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
      if (!ev.Has("refund_account") || !ev.Has("paying_accounts")) break;
      out.sentence =
          zh ? absl::StrCat("退款账户 ", ev["refund_account"],
                            " 与缴纳保证金的账户（", ev["paying_accounts"],
                            "）在渠道、账户或币种上不一致；保证金只能原路退回")
             : absl::StrCat("the refund account ", ev["refund_account"],
                            " differs from the paying accounts (",
                            ev["paying_accounts"],
                            ") in channel, account or currency; deposits are "
                            "refunded by the original path only");
      break;
    }
    case v1::REOPEN_COOLING_OFF: {
      if (!ev.Has("cooling_off_days") || !ev.Has("closed_at")) break;
      const std::string days = ev["cooling_off_days"];
      const bool registration = alert.key().subject() == "registration";
      const std::string entity = ev["legal_entity_id"];
      if (zh) {
        out.sentence =
            registration
                ? absl::StrCat(
                      "该店铺于 ", ev["attempt_at"], " 注册，",
                      entity.empty() ? "其主体" : "其主体 " + entity + " ",
                      "的另一家店铺于 ", ev["closed_at"], " 关店，仍在 ", days,
                      " 天冷静期内；新店可能被拒绝或影响保证金")
                : absl::StrCat("店铺于 ", ev["closed_at"], " 关店后，在 ", days,
                               " 天冷静期内（", ev["attempt_at"],
                               "）重新开店；可能被拒绝或影响保证金");
      } else {
        out.sentence =
            registration
                ? absl::StrCat("the shop was registered at ", ev["attempt_at"],
                               " by ",
                               entity.empty() ? "a legal entity"
                                              : "legal entity " + entity,
                               " whose other shop closed at ", ev["closed_at"],
                               ", inside the ", days,
                               "-day cooling-off period; it may be rejected")
                : absl::StrCat("the shop was reopened at ", ev["attempt_at"],
                               ", inside the ", days,
                               "-day cooling-off period after its closure at ",
                               ev["closed_at"], "; it may be rejected");
      }
      break;
    }
    case v1::FEED_SILENT: {
      int64_t limit = 0;
      if (!absl::SimpleAtoi(ev["silence_minutes"], &limit)) break;
      int64_t minutes = limit;
      if (alert.has_due_at() && alert.has_at()) {
        const absl::Duration past =
            FromTimestamp(alert.at()) - FromTimestamp(alert.due_at());
        if (past > absl::ZeroDuration()) {
          minutes += absl::ToInt64Minutes(past);
        }
      }
      const std::string last = ev["last_event_at"];
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
      const std::string state = ev["feed_state"];
      if (state == "DEAUTHORIZED" || stage == "revoked") {
        const std::string at = ev["changed_at"];
        out.sentence =
            zh ? absl::StrCat("店铺数据授权",
                              at.empty() ? "" : "已于 " + at + " ",
                              "被撤销：depositd 看不到该店铺的订单、纠纷和扣款")
               : absl::StrCat("the shop's feed was revoked",
                              at.empty() ? "" : " at " + at,
                              ": depositd no longer sees its orders, disputes "
                              "or deductions");
      } else {
        const std::string when =
            ev.Has("expires_at") ? ev["expires_at"] : DueUtc(alert);
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
      if (sink.empty() || !ev.Has("reason")) break;
      const std::string detail = ev["detail"];
      const std::string refused = ev["refused_alert"];
      if (zh) {
        out.sentence = absl::StrCat(
            "通知渠道 ", sink,
            ev.Has("sink_type")
                ? "（" + SinkTypeWord(ev["sink_type"], zh) + "）"
                : " ",
            "拒收告警：", ev["reason"],
            detail.empty() ? "" : "（" + detail + "）",
            refused.empty() ? "" : "；告警 " + refused + " 未送达该渠道",
            "，该渠道的接收人看不到告警");
      } else {
        out.sentence = absl::StrCat(
            "sink ", sink,
            ev.Has("sink_type") ? " (" + SinkTypeWord(ev["sink_type"], zh) + ")"
                                : "",
            " refuses alerts: ", ev["reason"],
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
    out.sentence = !alert.summary().empty() ? alert.summary()
                                            : KindTitle(alert.key().kind(), zh);
  }
  return out;
}

// What to do, in words, per kind; falls back to the watcher's action.
std::string DescribeAction(const v1::Alert& alert, bool zh) {
  const Evidence ev(alert);
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
      const std::string id = ev.Has("dispute_id") ? ev["dispute_id"] : subject;
      if (ev["dispute_kind"] == "NOT_RECEIVED") {
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
          ev.Has("deduction_id") ? ev["deduction_id"] : subject;
      return zh ? absl::StrCat("如有异议，请",
                               due.empty() ? "在截止前" : "在 " + due + " 之前",
                               "对扣款 ", id, " 提交申诉材料")
                : absl::StrCat("If you dispute deduction ", id,
                               ", file the appeal with evidence before ",
                               due.empty() ? "the window closes" : due, ".");
    }
    case v1::BALANCE_SHORT:
      if (!ev.Has("required")) break;
      return zh ? absl::StrCat("请补缴保证金",
                               ev.Has("shortfall") ? " " + ev["shortfall"] : "",
                               "，使余额达到 ", ev["required"])
                : absl::StrCat(
                      "Top up the deposit",
                      ev.Has("shortfall") ? " by " + ev["shortfall"] : "",
                      " to the required ", ev["required"], ".");
    case v1::UNPAID_FEES: {
      const std::string id = ev.Has("fee_id") ? ev["fee_id"] : subject;
      return zh ? absl::StrCat("请尽快缴清费用 ", id,
                               ev.Has("outstanding")
                                   ? "（" + ev["outstanding"] + "）"
                                   : "")
                : absl::StrCat("Pay fee ", id,
                               ev.Has("outstanding")
                                   ? " (" + ev["outstanding"] + ")"
                                   : "",
                               " now.");
    }
    case v1::METRIC_BELOW_THRESHOLD: {
      const std::string metric = ev.Has("metric") ? ev["metric"] : subject;
      return zh ? absl::StrCat("改善", MetricName(metric, zh),
                               "至达标，否则保证金退还可能被拒绝")
                : absl::StrCat("Bring the ", MetricName(metric, zh),
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
      if (ev["feed_state"] == "DEAUTHORIZED" || alert.stage() == "revoked" ||
          alert.stage() == "expired") {
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

// The label of the due line, per kind.
std::string DueLabel(v1::AlertKind kind, bool zh) {
  switch (kind) {
    case v1::INACTIVITY:
      return zh ? "扣款时间" : "Deduction at";
    case v1::DISPUTE_RESPONSE_DUE:
      return zh ? "回复期限" : "Respond by";
    case v1::APPEAL_WINDOW_CLOSING:
      return zh ? "申诉截止" : "Appeal by";
    case v1::UNPAID_FEES:
      return zh ? "缴费期限" : "Fee due";
    case v1::REFUND_OVERDUE:
      return zh ? "预计到账" : "Expected by";
    case v1::REOPEN_COOLING_OFF:
      return zh ? "冷静期结束" : "Cooling-off ends";
    case v1::FEED_SILENT:
      return zh ? "静默超限" : "Silent past limit at";
    case v1::FEED_DEAUTHORIZED:
      return zh ? "授权到期" : "Authorization expires";
    default:
      return zh ? "期限" : "Due";
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
  const std::string kind_title = KindTitle(alert.key().kind(), zh);
  const absl::Time at = FromTimestamp(alert.at());
  const absl::Time starts = FromTimestamp(alert.starts_at());

  AlertMessage m;
  if (zh) {
    m.title = absl::StrCat("【", SeverityWord(alert.severity(), zh), "】",
                           ChangeWord(change, zh), "：", kind_title, " — ",
                           where, subject.empty() ? "" : "（" + subject + "）");
  } else {
    m.title = absl::StrCat("[", SeverityWord(alert.severity(), zh), "] ",
                           ChangeWord(change, zh), ": ", kind_title, " — ",
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
      status =
          zh ? absl::StrCat("告警升级：进入阶段 ", StageWord(alert.stage(), zh),
                            "（", SeverityWord(alert.severity(), zh), "），自 ",
                            UtcText(starts), " 起持续触发。")
             : absl::StrCat("Escalated to stage ", alert.stage(), " (",
                            SeverityWord(alert.severity(), zh),
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
      {zh ? "店铺" : "Shop",
       alert.key().shop_id().empty()
           ? (zh ? absl::StrCat("租户 ", alert.key().tenant(), "（全部店铺）")
                 : absl::StrCat("tenant ", alert.key().tenant(),
                                " (all shops)"))
           : absl::StrCat(
                 where, subject.empty() ? "" : (zh ? "，" : ", ") + subject)});
  lines.push_back({zh ? "风险" : "At risk", risk.sentence});
  if (alert.has_due_at()) {
    const absl::Time due = FromTimestamp(alert.due_at());
    std::string value = UtcText(due);
    if (!cleared) {
      absl::StrAppend(&value, zh ? "（" : " (", RelativeTime(due, at, language),
                      zh ? "）" : ")");
    }
    lines.push_back({DueLabel(alert.key().kind(), zh), value});
  }
  if (HasMoney(alert)) {
    lines.push_back({zh ? "涉及金额" : "Money at risk", MoneyText(alert)});
  }
  if (!cleared) {
    m.action = DescribeAction(alert, zh);
    if (!m.action.empty()) {
      lines.push_back({zh ? "处理建议" : "Action", m.action});
    }
  }
  lines.push_back({zh ? "状态" : "Status", status});
  const std::string trace = absl::StrCat(
      AlertKeyString(alert.key()), zh ? " · 序号 " : " · sequence ",
      alert.sequence(), alert.stage().empty() ? "" : " · ",
      alert.stage().empty() ? "" : (zh ? "阶段 " : "stage "),
      StageWord(alert.stage(), zh));
  lines.push_back({zh ? "告警键" : "Alert", trace});

  const absl::string_view sep = zh ? "：" : ": ";
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
