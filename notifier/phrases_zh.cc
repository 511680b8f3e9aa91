// The Chinese (zh-CN) phrase table (see phrases.h). Every word a person
// reads is Chinese; codes the table does not know are passed through.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "notifier/phrases.h"

namespace depositd::notifier {
namespace {

// The Chinese name of a currency the shops' platforms pay in; nullptr for
// others (shown by their ISO code).
const char* CurrencyName(absl::string_view code) {
  static constexpr struct {
    const char* code;
    const char* name;
  } kNames[] = {
      {"CNY", "元"},           {"USD", "美元"},           {"EUR", "欧元"},
      {"GBP", "英镑"},         {"JPY", "日元"},           {"HKD", "港元"},
      {"SGD", "新加坡元"},     {"MYR", "马来西亚林吉特"}, {"THB", "泰铢"},
      {"IDR", "印尼盾"},       {"PHP", "菲律宾比索"},     {"VND", "越南盾"},
      {"KRW", "韩元"},         {"AUD", "澳元"},           {"CAD", "加元"},
      {"MXN", "墨西哥比索"},   {"BRL", "巴西雷亚尔"},     {"SAR", "沙特里亚尔"},
      {"AED", "阿联酋迪拉姆"}, {"TWD", "新台币"}};
  for (const auto& n : kNames) {
    if (code == n.code) return n.name;
  }
  return nullptr;
}

class ChinesePhrases final : public Phrases {
 public:
  std::string Severity(v1::Severity s) const override {
    switch (s) {
      case v1::CRITICAL:
        return "严重";
      case v1::WARNING:
        return "警告";
      case v1::INFO:
        return "提示";
      default:
        return "未知";
    }
  }
  std::string Change(v1::AlertChange c) const override {
    switch (c) {
      case v1::ESCALATED:
        return "升级";
      case v1::REPEATED:
        return "提醒";
      case v1::ACKNOWLEDGED:
        return "已确认";
      case v1::UPDATED:
        return "更新";
      case v1::CLEARED:
        return "已恢复";
      case v1::OPENED:
      default:
        return "告警";
    }
  }
  std::string KindTitle(v1::AlertKind kind) const override {
    switch (kind) {
      case v1::INACTIVITY:
        return "长期无销售";
      case v1::DISPUTE_RESPONSE_DUE:
        return "纠纷待回复";
      case v1::APPEAL_WINDOW_CLOSING:
        return "扣款申诉期即将截止";
      case v1::BALANCE_SHORT:
        return "保证金余额不足";
      case v1::UNPAID_FEES:
        return "费用逾期未缴";
      case v1::METRIC_BELOW_THRESHOLD:
        return "店铺指标不达标";
      case v1::CLOSURE_BLOCKED:
        return "关店退保证金受阻";
      case v1::REFUND_OVERDUE:
        return "保证金退款逾期";
      case v1::ACCOUNT_MISMATCH:
        return "退款账户不一致";
      case v1::REOPEN_COOLING_OFF:
        return "冷静期内重新开店";
      case v1::FEED_SILENT:
        return "数据推送中断";
      case v1::FEED_DEAUTHORIZED:
        return "店铺数据授权失效";
      case v1::SINK_FAILING:
        return "通知渠道拒收告警";
      default:
        return "告警";
    }
  }
  std::string DueLabel(v1::AlertKind kind) const override {
    switch (kind) {
      case v1::INACTIVITY:
        return "扣款时间";
      case v1::DISPUTE_RESPONSE_DUE:
        return "回复期限";
      case v1::APPEAL_WINDOW_CLOSING:
        return "申诉截止";
      case v1::UNPAID_FEES:
        return "缴费期限";
      case v1::REFUND_OVERDUE:
        return "预计到账";
      case v1::REOPEN_COOLING_OFF:
        return "冷静期结束";
      case v1::FEED_SILENT:
        return "静默超限";
      case v1::FEED_DEAUTHORIZED:
        return "授权到期";
      default:
        return "期限";
    }
  }
  std::string Condition(v1::Condition c) const override {
    switch (c) {
      case v1::R1_ORDERS_IN_FLIGHT:
        return "R1 在途订单";
      case v1::R2_RETURN_WINDOWS_OPEN:
        return "R2 退货期未结束";
      case v1::R3_OPEN_DISPUTES:
        return "R3 未结纠纷";
      case v1::R4_UNPAID_FEES:
        return "R4 未缴费用";
      case v1::R5_PENDING_VIOLATIONS:
        return "R5 未处理违规";
      case v1::R6_BALANCE_SHORT:
        return "R6 保证金不足";
      case v1::R7_WAITING_PERIOD:
        return "R7 关店等待期";
      case v1::R8_REFUND_ACCOUNT:
        return "R8 退款账户";
      case v1::R9_HEALTH_METRICS:
        return "R9 店铺指标";
      case v1::R10_DISCOUNT_CLAWBACK:
        return "R10 优惠追缴";
      default:
        return v1::Condition_Name(c);
    }
  }
  // From the structured evidence (watchers/ words its summary in English
  // only): how many things block and the amounts involved. Without a count
  // (alerts written before the count was recorded), what the condition
  // asks for.
  std::string Blocker(v1::Condition c, absl::string_view count_text,
                      absl::string_view amounts,
                      absl::string_view) const override {
    int64_t n = 0;
    const bool counted = absl::SimpleAtoi(count_text, &n) && n > 0;
    const std::string count = absl::StrCat(n);
    const std::string money =
        amounts.empty() ? "" : absl::StrCat("：", Money(amounts));
    switch (c) {
      case v1::R1_ORDERS_IN_FLIGHT:
        return counted ? absl::StrCat(
                             count, " 笔订单尚未完成（未发货、已发货或运输中）")
                       : "仍有订单尚未完成";
      case v1::R2_RETURN_WINDOWS_OPEN:
        return counted ? absl::StrCat(
                             count, " 笔已签收订单仍在退货期内，到期后自动解除")
                       : "仍有订单在退货期内，到期后自动解除";
      case v1::R3_OPEN_DISPUTES:
        return counted ? absl::StrCat(count, " 个纠纷、索赔或售后申请未结")
                       : "仍有纠纷、索赔或售后申请未结";
      case v1::R4_UNPAID_FEES:
        return absl::StrCat(counted ? count + " 笔费用未缴" : "仍有费用未缴",
                            money);
      case v1::R5_PENDING_VIOLATIONS:
        return counted ? absl::StrCat(count, " 项违规未处理")
                       : "仍有违规未处理";
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
  std::string DisputeKind(absl::string_view kind) const override {
    if (kind == "NOT_RECEIVED") return "买家称未收到货";
    if (kind == "A_TO_Z") return "A-to-Z 索赔";
    if (kind == "REFUND_REQUEST") return "退款申请";
    if (kind == "RETURN") return "退货";
    if (kind == "COMPLAINT") return "投诉";
    if (kind == "ARBITRATION") return "仲裁";
    return std::string(kind);
  }
  std::string FeeCategory(absl::string_view c) const override {
    if (c == "FINE") return "罚款";
    if (c == "TECHNICAL_SERVICE") return "技术服务费";
    if (c == "ADS_SETTLEMENT") return "广告费结算";
    if (c == "LOGISTICS_ADVANCE") return "物流垫付费";
    if (c == "ORDER_REFUND_OWED") return "订单退款欠款";
    if (c == "OTHER_FEE") return "其他费用";
    return std::string(c);
  }
  std::string Metric(absl::string_view metric) const override {
    if (metric == "fulfilment_rate_pct") return "履约率";
    if (metric == "return_rate_pct") return "退货率";
    if (metric == "dsr") return "店铺评分";
    return std::string(metric);
  }
  std::string SinkType(absl::string_view type) const override {
    if (type == "DINGTALK") return "钉钉";
    if (type == "FEISHU") return "飞书";
    if (type == "WECOM") return "企业微信";
    if (type == "SLACK") return "Slack";
    if (type == "WEBHOOK") return "Webhook";
    if (type == "ALERTMANAGER") return "Alertmanager";
    return std::string(type);
  }
  // "USD 35.00" / "35.00 美元"; each amount of a list ("USD 1.00, CNY 2.00").
  std::string Money(absl::string_view formatted) const override {
    std::vector<std::string> out;
    for (absl::string_view amount : absl::StrSplit(formatted, ", ")) {
      const size_t space = amount.find(' ');
      const char* name =
          space == 3 ? CurrencyName(amount.substr(0, 3)) : nullptr;
      out.push_back(name == nullptr
                        ? std::string(amount)
                        : absl::StrCat(amount.substr(4), " ", name));
    }
    return absl::StrJoin(out, "，");
  }
  // "30d" / "30 天", "day2" / "第 2 天", "breached" / "已超期", ….
  std::string Stage(absl::string_view stage) const override {
    int64_t n = 0;
    auto number_with = [&](absl::string_view prefix, absl::string_view suffix) {
      absl::string_view s = stage;
      return absl::ConsumePrefix(&s, prefix) &&
             absl::ConsumeSuffix(&s, suffix) && absl::SimpleAtoi(s, &n);
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
    return std::string(stage);
  }
  const Labels& labels() const override {
    static constexpr Labels kLabels = {"店铺",     "风险", "涉及金额",
                                       "处理建议", "状态", "告警键",
                                       "序号",     "阶段", "："};
    return kLabels;
  }
};

}  // namespace

const Phrases& ChinesePhraseTable() {
  static const ChinesePhrases* const table = new ChinesePhrases();
  return *table;
}

}  // namespace depositd::notifier
