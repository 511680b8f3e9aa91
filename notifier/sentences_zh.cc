// The Chinese sentence table (see sentences.h).
#include "notifier/sentences.h"

namespace depositd::notifier {
namespace {

Sentences* MakeChinese() {
  auto* s = new Sentences();
  s->paren = "（$0）";
  s->no_aside = " ";
  s->list_separator = "，";

  s->one_day = "$0 天";
  s->days = "$0 天";
  s->hours = "$0 小时";
  s->minutes = "$0 分钟";
  s->now = "现在";
  s->in = "$0后";
  s->overdue_by = "已逾期 $0";
  s->full_alerts = "完整告警：depositctl alerts list --tenant $0";
  s->digest_one = "租户 $0 的 $1 条告警$2";
  s->digest_many = "租户 $0 的 $1 条告警$2";
  s->digest_critical = "（$0 条严重）";

  s->tenant = "租户 $0";
  s->tenant_all_shops = "租户 $0（全部店铺）";
  s->shop_and_subject = "$0，$1";
  s->title = "【$0】$1：$2 — $3$4";

  s->status.opened = "新告警，$0 起触发。";
  s->status.escalated = "告警升级：进入阶段 $0（$1），自 $2 起持续触发。";
  s->status.repeated = "重复提醒：自 $0 起持续触发（已 $1），尚无人确认。";
  s->status.acknowledged = "已由 $0 确认：不再重复提醒，升级和恢复仍会通知。";
  s->status.someone = "未知用户";
  s->status.updated =
      "告警内容已更新（非新告警）：自 $0 起持续触发，以下为当前情况。";
  s->status.cleared = "已恢复：$0 解除（持续 $1），无需再处理。";

  s->subject.dispute = "纠纷 $0";
  s->subject.deduction = "扣款 $0";
  s->subject.currency = "币种 $0";
  s->subject.fee = "费用 $0";
  s->subject.metric = "指标 $0";
  s->subject.sink = "通知渠道 $0";
  s->subject.reopen = "重新开店";
  s->subject.registration = "新店注册";

  s->inactivity.counting = "已连续 $0 天无销售；满 $1 天将扣除保证金的 $2%$3";
  s->inactivity.crossed =
      "已连续 $0 天无销售，已超过 $1 天的限制：保证金的 $2%$3将被扣除";
  s->inactivity.act_now = "立即完成一笔销售，并联系平台确认是否已扣除保证金";
  s->inactivity.sell_by = "请在 $0 之前完成至少一笔销售，无销售天数将重新计算";

  s->dispute.order = "订单 $0";
  s->dispute.unanswered = "纠纷 $0$1尚未回复，须在期限前答复";
  s->dispute.breached = "纠纷 $0$1已超过回复期限仍未回复";
  s->dispute.at_stake = "，涉及 $0";
  s->dispute.upload_proof = "上传物流签收证明并回复纠纷 $0";
  s->dispute.respond = "立即回复纠纷 $0 并提交证据";

  s->appeal.reason = "原因：$0";
  s->appeal.counterfeit = "涉及假货认定";
  s->appeal.closing =
      "扣款 $0$1的申诉期即将截止，尚未提交申诉；截止后扣款不可再申诉";
  s->appeal.by_due = "在 $0 之前";
  s->appeal.before_close = "在截止前";
  s->appeal.appeal = "如有异议，请$1对扣款 $0 提交申诉材料";

  s->balance.short_by = "保证金余额 $0 低于要求的 $1，差额 $2";
  s->balance.by = " $0";
  s->balance.top_up = "请补缴保证金$0，使余额达到 $1";

  s->fees.unpaid = "费用 $0$1$2 已逾期 $3 天未缴；未缴费用会阻止保证金退还";
  s->fees.pay = "请尽快缴清费用 $0$1";

  s->metric.below_minimum =
      "$0为 $1，低于要求 $2；平台退还保证金前会检查该指标";
  s->metric.above_maximum =
      "$0为 $1，高于上限 $2；平台退还保证金前会检查该指标";
  s->metric.improve = "改善$0至达标，否则保证金退还可能被拒绝";

  s->closure.requested = "已申请关店";
  s->closure.requested_at = "已于 $0 申请关店";
  s->closure.blocked_one = "$0，但仍有 $1 项条件阻止保证金退还：";
  s->closure.blocked_many = "$0，但仍有 $1 项条件阻止保证金退还：";
  s->closure.clear_each =
      "逐项处理上述阻碍（纠纷、未缴费用、违规、账户等），全部解除后平台才会退还"
      "保证金";

  s->refund.amount = "（$0）";
  s->refund.overdue = "保证金退款预计于 $0 到账，至今未收到$1";
  s->refund.chase = "联系平台客服催办退款，并保留退款申请与缴款凭证";

  s->account.mismatch =
      "退款账户 $0 与缴纳保证金的账户（$1）在渠道、账户或币种上不一致；保证金只"
      "能原路退回";
  s->account.fix = "请把退款账户改为原缴款的渠道、账户和币种";

  s->reopen.entity_named = "其主体 $0 ";
  s->reopen.entity_unnamed = "其主体";
  s->reopen.registration =
      "该店铺于 $0 注册，$1的另一家店铺于 $2 关店，仍在 $3 天冷静期内；新店可能"
      "被拒绝或影响保证金";
  s->reopen.reopen =
      "店铺于 $0 关店后，在 $1 "
      "天冷静期内（$2）重新开店；可能被拒绝或影响保证金";
  s->reopen.or_wait_until = "，或等到 $0 之后";
  s->reopen.check_rule = "确认平台的冷静期规则后再操作$0";

  s->silent.last = "（上次 $0）";
  s->silent.silent =
      "租户 $0 已 $1 分钟没有推送任何事件$2——depositd 看不到其店铺的风险，请检"
      "查集成";
  s->silent.check =
      "请检查租户 $0 的集成：事件推送任务、平台授权以及到 depositd 的网络";

  s->feed.revoked_at = "已于 $0 ";
  s->feed.revoked =
      "店铺数据授权$0被撤销：depositd 看不到该店铺的订单、纠纷和扣款";
  s->feed.expired = "店铺数据授权已于 $0 过期：depositd 看不到该店铺";
  s->feed.expiring = "店铺数据授权将于 $0 过期，过期后 depositd 将看不到该店铺";
  s->feed.reauthorize =
      "请在平台卖家中心重新授权集成应用，恢复后补推期间的事件";
  s->feed.by_due = "在 $0 之前";
  s->feed.before_expiry = "在过期前";
  s->feed.renew = "请$0于平台卖家中心续期授权";

  s->sink.refused_alert = "；告警 $0 未送达该渠道";
  s->sink.refuses = "通知渠道 $0$1拒收告警：$2$3$4，该渠道的接收人看不到告警";
  s->sink.check =
      "检查通知渠道 $0 "
      "的地址、密钥（加签）和关键词规则（平台上与配置中）；被拒收"
      "的告警可用 depositctl alerts list --tenant $1 查看";
  s->finding.inactivity_amount = " ($0)";
  s->finding.inactivity_counting =
      "已连续 $0 天无销售；距 $1 天限制还剩 $4，届时扣除保证金的 $2%$3";
  s->finding.inactivity_crossed =
      "已连续 $0 天无销售，超过 $1 天限制：保证金的 $2%$3 将被扣除";
  s->finding.inactivity_act_now = "立即完成一笔销售并联系平台确认扣款情况";
  s->finding.inactivity_sell_by = "在 $0 之前完成至少一笔销售";
  s->finding.dispute_unanswered = "纠纷 $0（$1）须在 $2 前回复（剩余 $3）";
  s->finding.dispute_breached = "纠纷 $0（$1）已超过回复期限 $2";
  s->finding.dispute_upload_proof = "上传物流签收证明并回复买家";
  s->finding.dispute_respond = "立即回复并提交证据";
  s->finding.appeal_closing = "扣款 $0（$1）的申诉期将于 $2 截止，尚未申诉";
  s->finding.appeal_file = "如有异议，请在截止前提交申诉材料";
  s->finding.balance_short = "保证金余额 $0 低于要求 $1，差额 $2";
  s->finding.balance_top_up = "请补缴保证金至要求金额";
  s->finding.fee_unpaid = "费用 $0（$1）$2 已逾期 $3 天未缴";
  s->finding.fee_pay = "请尽快缴清该费用，否则会阻止保证金退还";
  s->finding.metric_below = "$3 为 $1，低于 $2 的要求";
  s->finding.metric_above = "$3 为 $1，高于 $2 的要求";
  s->finding.metric_improve = "改善店铺指标，否则保证金退还会被拒绝";
  s->finding.closure_blocked = "已申请关店，但仍有 $0 项条件阻止保证金退还：$1";
  s->finding.closure_separator = "；";
  s->finding.closure_grace_ended = "关店后纠纷宽限期已于 $0 结束，退款可能被拒";
  s->finding.closure_clear_each =
      "逐项处理上述阻碍（纠纷、未缴费用、违规、账户等）";
  s->finding.refund_overdue = "保证金退款预计于 $0 到账，至今未收到";
  s->finding.refund_chase = "联系平台客服催办退款，并保留申请与付款凭证";
  s->finding.account_mismatch = "退款账户 $2 与缴纳保证金的账户/币种不一致：$1";
  s->finding.account_separator = "，";
  s->finding.account_fix =
      "保证金只能原路返还：请把退款账户改为原缴款渠道、账户和币种";
  s->finding.reopen_months = "$0 个月";
  s->finding.reopen_days = "$0 天";
  s->finding.reopen_inside = "关店后 $0冷静期内（至 $1）尝试重新开店";
  s->finding.reopen_check =
      "冷静期内重新开店可能被拒绝或影响保证金，请确认后再操作";
  s->finding.feed_revoked =
      "店铺数据授权已于 $0 被撤销：depositd 看不到该店铺的订单、纠纷和扣款";
  s->finding.feed_reauthorize =
      "请在平台卖家中心重新授权集成应用，恢复后补推期间的事件";
  s->finding.feed_expired = "店铺数据授权已于 $0 过期：depositd 看不到该店铺";
  s->finding.feed_expiring =
      "店铺数据授权将于 $0 过期，过期后 depositd 将看不到该店铺";
  s->finding.feed_renew = "请在过期前于平台卖家中心续期授权";
  s->finding.silent =
      "租户 $0 已超过 $1 分钟没有推送任何事件（上次 $2）：depositd "
      "看不到其店铺的风险";
  s->finding.silent_check = "请检查该租户的集成：推送任务、授权和网络";
  return s;
}

}  // namespace

const Sentences& ChineseSentences() {
  static const Sentences* const table = MakeChinese();
  return *table;
}

}  // namespace depositd::notifier
