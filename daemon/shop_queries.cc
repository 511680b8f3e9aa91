#include "daemon/shop_queries.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/timestamps.h"
#include "daemon/shard.h"
#include "daemon/shop_index.h"

namespace depositd::daemon {
namespace {

constexpr absl::string_view kIdTokenPrefix = "p1:";
constexpr absl::string_view kRiskTokenPrefix = "r1:";

// Where a page starts: after this position in the request's order. For
// SHOP_ORDER_ID only `key` counts (neg_stake and due stay 0).
struct Position {
  int64_t neg_stake = 0;
  int64_t due = 0;
  std::string key;
  bool operator<(const Position& o) const {
    return std::tie(neg_stake, due, key) < std::tie(o.neg_stake, o.due, o.key);
  }
};

std::string EncodePageToken(v1::ShopOrder order, const Position& p) {
  if (order == v1::SHOP_ORDER_RISK) {
    return absl::WebSafeBase64Escape(
        absl::StrCat(kRiskTokenPrefix, p.neg_stake, ":", p.due, ":", p.key));
  }
  return absl::WebSafeBase64Escape(absl::StrCat(kIdTokenPrefix, p.key));
}

absl::StatusOr<Position> DecodePageToken(v1::ShopOrder order,
                                         absl::string_view token) {
  const absl::Status bad = absl::InvalidArgumentError(
      "page_token is not one this server issued for this order: pass "
      "next_page_token from the previous ListShops response unchanged (with "
      "the same order and filters), or omit it to start from the first page");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad;
  absl::string_view rest = raw;
  Position p;
  if (order == v1::SHOP_ORDER_RISK) {
    if (!absl::ConsumePrefix(&rest, kRiskTokenPrefix)) return bad;
    std::vector<absl::string_view> parts =
        absl::StrSplit(rest, absl::MaxSplits(':', 2));
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &p.neg_stake) ||
        !absl::SimpleAtoi(parts[1], &p.due)) {
      return bad;
    }
    p.key = std::string(parts[2]);
    return p;
  }
  if (!absl::ConsumePrefix(&rest, kIdTokenPrefix)) return bad;
  p.key = std::string(rest);
  return p;
}

absl::string_view TenantOfKey(absl::string_view key) {
  return key.substr(0, key.find('\0'));
}

absl::string_view ShopIdOfKey(absl::string_view key) {
  const size_t nul = key.find('\0');
  return nul == absl::string_view::npos ? absl::string_view()
                                        : key.substr(nul + 1);
}

// The shop's line in a ListShops page, from the index's facts (exact at
// the query's time: IndexAt refreshed them) and its alert book; the shop is
// neither unpacked nor evaluated again (a shop with 100,000 orders takes
// seconds to unpack).
v1::ShopSummary Summarize(const ShopEntry& e, const ShopIndex::Facts& f) {
  v1::ShopSummary sum;
  const absl::string_view key = e.key;
  sum.set_tenant(std::string(TenantOfKey(key)));
  sum.set_shop_id(std::string(ShopIdOfKey(key)));
  sum.set_profile(e.profile->settings.name());
  sum.set_lifecycle(f.lifecycle);
  sum.set_verdict(f.verdict);
  if (f.ready_at != kNoDeadline) {
    common::ToTimestamp(absl::FromUnixNanos(f.ready_at),
                        sum.mutable_ready_at());
  }
  for (int c = 1; c < 32; ++c) {
    if ((f.blocking >> c) & 1u) sum.add_blocking(static_cast<v1::Condition>(c));
  }
  for (const v1::Alert& a : e.alerts.active()) {
    if (std::find(sum.risks().begin(), sum.risks().end(), a.key().kind()) ==
        sum.risks().end()) {
      sum.add_risks(a.key().kind());
    }
  }
  ShopStake stake = StakeOf(e.alerts);
  for (v1::Money& m : stake.amounts) *sum.add_at_stake() = std::move(m);
  if (stake.due != kNoDeadline) {
    common::ToTimestamp(absl::FromUnixNanos(stake.due),
                        sum.mutable_nearest_due_at());
  }
  return sum;
}

// One shard's share of a ListShops page: up to page_size matching shops
// after `after` in the request's order, and whether more match.
std::vector<Position> PageOfShard(Shard& s, const v1::ListShopsRequest& req,
                                  const std::optional<Position>& after,
                                  int page_size, absl::Time now, bool* more) {
  const ShopIndex& idx = s.IndexAt(now);
  const std::string& tenant = req.tenant();
  auto matches = [&](absl::string_view key, const ShopIndex::Facts& f) {
    if (!tenant.empty() && TenantOfKey(key) != tenant) return false;
    if (req.verdicts_size() > 0 &&
        std::find(req.verdicts().begin(), req.verdicts().end(), f.verdict) ==
            req.verdicts().end()) {
      return false;
    }
    if (req.risk() != v1::ALERT_KIND_UNSPECIFIED &&
        ((f.risks >> static_cast<int>(req.risk())) & 1u) == 0) {
      return false;
    }
    if (!req.profile().empty() &&
        (f.profile == nullptr || *f.profile != req.profile())) {
      return false;
    }
    if (!req.shop_id_prefix().empty() &&
        !absl::StartsWith(ShopIdOfKey(key), req.shop_id_prefix())) {
      return false;
    }
    return true;
  };

  // The smallest key-ordered set the filters select (null: the whole
  // table, or the tenant's range of it).
  const ShopIndex::KeySet* source = nullptr;
  size_t source_size;
  if (!tenant.empty()) {
    const ShopIndex::Counts* c = idx.tenant(tenant);
    source_size = c == nullptr ? 0 : static_cast<size_t>(c->shops);
  } else {
    source_size = static_cast<size_t>(idx.total().shops);
  }
  auto consider = [&](const ShopIndex::KeySet* set) {
    const size_t n = set == nullptr ? 0 : set->size();
    if (n < source_size || set == nullptr) {
      source = set;
      source_size = n;
    }
  };
  if (req.verdicts_size() == 1) consider(&idx.by_verdict(req.verdicts(0)));
  if (req.risk() != v1::ALERT_KIND_UNSPECIFIED) {
    consider(idx.by_kind(req.risk()));
  }
  if (!req.profile().empty()) consider(idx.by_profile(req.profile()));
  std::vector<Position> out;
  *more = false;
  if (source_size == 0) return out;

  auto position = [](absl::string_view key, const ShopIndex::Facts& f,
                     v1::ShopOrder order) {
    Position p;
    p.key = std::string(key);
    if (order == v1::SHOP_ORDER_RISK) {
      p.neg_stake = -f.stake_rank;
      p.due = f.due;
    }
    return p;
  };
  // With a shop id prefix the source is the key ranges "tenant \0 prefix"
  // of the tenant (or of every tenant, in order): a range walk, not a scan.
  std::vector<std::string> prefixes;
  if (!req.shop_id_prefix().empty()) {
    std::vector<absl::string_view> tenants;
    if (!tenant.empty()) {
      tenants.push_back(tenant);
    } else {
      tenants = idx.tenant_names();
    }
    for (absl::string_view t : tenants) {
      prefixes.push_back(
          absl::StrCat(t, absl::string_view("\0", 1), req.shop_id_prefix()));
    }
  }
  // Visits the source's keys after `from` in key order until fn says stop.
  auto walk_keys = [&](absl::string_view from, auto fn) {
    if (!req.shop_id_prefix().empty()) {
      const ShopTable::Ordered& all = s.ordered_shops();
      for (const std::string& p : prefixes) {
        auto it = from < p ? all.lower_bound(p) : all.upper_bound(from);
        for (; it != all.end() && absl::StartsWith(it->first, p); ++it) {
          if (it->second->feed) continue;
          if (!fn(it->first)) return;
        }
      }
      return;
    }
    if (source != nullptr) {
      for (auto it = source->upper_bound(from); it != source->end(); ++it) {
        if (!fn(*it)) return;
      }
      return;
    }
    const ShopTable::Ordered& all = s.ordered_shops();
    for (auto it = all.upper_bound(from); it != all.end(); ++it) {
      if (it->second->feed) continue;
      if (!fn(it->first)) return;
    }
  };
  // The first key of `tenant` is tenant "\0" ..., after the tenant itself.
  std::string start = after.has_value() ? after->key : std::string();
  if (!tenant.empty() && start < tenant) start = tenant;
  auto past_tenant = [&](absl::string_view key) {
    return !tenant.empty() && TenantOfKey(key) > tenant;
  };

  if (req.order() != v1::SHOP_ORDER_RISK) {
    walk_keys(start, [&](absl::string_view key) {
      if (past_tenant(key)) return false;
      const ShopIndex::Facts* f = idx.Find(key);
      if (f == nullptr || !matches(key, *f)) return true;
      if (static_cast<int>(out.size()) == page_size) {
        *more = true;
        return false;
      }
      out.push_back(position(key, *f, req.order()));
      return true;
    });
    return out;
  }

  // Risk order. Walk the shard's risk order unless the other filters
  // select far fewer shops than it holds: then sort those.
  const auto& by_risk = idx.by_risk();
  if (!req.shop_id_prefix().empty() || source_size * 4 < by_risk.size()) {
    std::vector<Position> found;
    walk_keys(tenant.empty() ? std::string() : tenant,
              [&](absl::string_view key) {
                if (past_tenant(key)) return false;
                const ShopIndex::Facts* f = idx.Find(key);
                if (f != nullptr && f->risks != 0 && matches(key, *f)) {
                  Position p = position(key, *f, req.order());
                  if (!after.has_value() || *after < p) {
                    found.push_back(std::move(p));
                  }
                }
                return true;
              });
    const size_t keep = std::min(found.size(), static_cast<size_t>(page_size));
    std::partial_sort(found.begin(), found.begin() + keep, found.end());
    *more = found.size() > keep;
    found.resize(keep);
    return found;
  }
  auto it = !after.has_value() ? by_risk.begin()
                               : by_risk.upper_bound(ShopIndex::RiskKey{
                                     after->neg_stake, after->due, after->key});
  for (; it != by_risk.end(); ++it) {
    const ShopIndex::Facts* f = idx.Find(it->key);
    if (f == nullptr || !matches(it->key, *f)) continue;
    if (static_cast<int>(out.size()) == page_size) {
      *more = true;
      break;
    }
    out.push_back(position(it->key, *f, req.order()));
  }
  return out;
}

// A query task for the shard owning the request's shop: NOT_FOUND when the
// shop is unknown, else `answer(entry, as_of)` (as_of defaults to the
// shard's now).
template <typename Response, typename Request, typename Answer>
ShardTask ShopQuery(const Request& request,
                    std::function<void(absl::StatusOr<Response>)> done,
                    Answer answer) {
  ShardTask t;
  t.kind = ShardTask::kQuery;
  t.query = [request, done = std::move(done), answer](Shard& shard) {
    const ShopEntry* e = shard.Find(request.tenant(), request.shop_id());
    if (e == nullptr) {
      return done(absl::NotFoundError(absl::StrCat(
          "shop ", request.tenant(), "/", request.shop_id(),
          " is unknown: it has sent no accepted event (check the tenant "
          "and shop_id)")));
    }
    const absl::Time as_of = request.has_as_of()
                                 ? common::FromTimestamp(request.as_of())
                                 : shard.clock()->Now();
    done(answer(*e, as_of));
  };
  return t;
}

}  // namespace

ShardTask GetShopTask(
    const v1::GetShopRequest& request,
    std::function<void(absl::StatusOr<v1::ReadinessReport>)> done) {
  return ShopQuery<v1::ReadinessReport>(
      request, std::move(done), [](const ShopEntry& e, absl::Time as_of) {
        return e.state.Evaluate(as_of, *e.profile);
      });
}

ShardTask ExplainTask(
    const v1::ExplainRequest& request,
    std::function<void(absl::StatusOr<v1::ExplainResponse>)> done) {
  return ShopQuery<v1::ExplainResponse>(
      request, std::move(done), [](const ShopEntry& e, absl::Time as_of) {
        return e.state.Explain(as_of, *e.profile);
      });
}

absl::StatusOr<std::vector<ShardTask>> ListShopsTasks(
    const v1::ListShopsRequest& request, int shards,
    std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done) {
  const int page_size = request.page_size() == 0 ? 100 : request.page_size();
  std::optional<Position> after;
  if (!request.page_token().empty()) {
    absl::StatusOr<Position> p =
        DecodePageToken(request.order(), request.page_token());
    if (!p.ok()) return p.status();
    after = *std::move(p);
  }
  struct Gather {
    absl::Mutex mu;
    std::map<Position, v1::ShopSummary> found ABSL_GUARDED_BY(mu);
    int remaining ABSL_GUARDED_BY(mu);
    bool more ABSL_GUARDED_BY(mu) = false;
    std::function<void(absl::StatusOr<v1::ListShopsResponse>)> done;
  };
  auto gather = std::make_shared<Gather>();
  {
    absl::MutexLock lock(&gather->mu);
    gather->remaining = shards;
  }
  gather->done = std::move(done);
  std::vector<ShardTask> tasks;
  for (int i = 0; i < shards; ++i) {
    ShardTask t;
    t.kind = ShardTask::kQuery;
    t.query = [request, after, page_size, gather](Shard& s) {
      const absl::Time now = s.clock()->Now();
      bool more = false;
      std::vector<Position> page =
          PageOfShard(s, request, after, page_size, now, &more);
      std::vector<std::pair<Position, v1::ShopSummary>> local;
      local.reserve(page.size());
      const ShopIndex& idx = s.IndexAt(now);  // refreshed by PageOfShard
      for (Position& p : page) {
        const ShopIndex::Facts* f = idx.Find(p.key);
        if (f == nullptr || f->entry == nullptr) continue;
        v1::ShopSummary sum = Summarize(*f->entry, *f);
        local.emplace_back(std::move(p), std::move(sum));
      }
      bool last = false;
      {
        absl::MutexLock lock(&gather->mu);
        for (auto& [k, v] : local) gather->found.emplace(k, std::move(v));
        gather->more = gather->more || more;
        last = --gather->remaining == 0;
      }
      if (!last) return;
      v1::ListShopsResponse resp;
      bool has_more;
      std::optional<Position> last_pos;
      {
        absl::MutexLock lock(&gather->mu);
        has_more =
            gather->more || static_cast<int>(gather->found.size()) > page_size;
        for (auto& [k, v] : gather->found) {
          if (resp.shops_size() == page_size) break;
          *resp.add_shops() = std::move(v);
          last_pos = k;
        }
      }
      if (has_more && last_pos.has_value()) {
        resp.set_next_page_token(EncodePageToken(request.order(), *last_pos));
      }
      gather->done(std::move(resp));
    };
    tasks.push_back(std::move(t));
  }
  return tasks;
}

std::vector<ShardTask> CountShopsTasks(
    const v1::CountShopsRequest& request, int shards,
    std::function<void(absl::StatusOr<v1::CountShopsResponse>)> done) {
  struct Gather {
    absl::Mutex mu;
    ShopIndex::Counts sum ABSL_GUARDED_BY(mu);
    int remaining ABSL_GUARDED_BY(mu);
    std::function<void(absl::StatusOr<v1::CountShopsResponse>)> done;
  };
  auto gather = std::make_shared<Gather>();
  {
    absl::MutexLock lock(&gather->mu);
    gather->remaining = shards;
  }
  gather->done = std::move(done);
  std::vector<ShardTask> tasks;
  for (int i = 0; i < shards; ++i) {
    ShardTask t;
    t.kind = ShardTask::kQuery;
    t.query = [tenant = request.tenant(), gather](Shard& s) {
      const ShopIndex& idx = s.IndexAt(s.clock()->Now());
      const ShopIndex::Counts* c =
          tenant.empty() ? &idx.total() : idx.tenant(tenant);
      bool last = false;
      ShopIndex::Counts sum;
      {
        absl::MutexLock lock(&gather->mu);
        if (c != nullptr) {
          gather->sum.shops += c->shops;
          gather->sum.at_risk += c->at_risk;
          for (size_t v = 0; v < c->verdicts.size(); ++v) {
            gather->sum.verdicts[v] += c->verdicts[v];
          }
          for (size_t k = 0; k < c->kinds.size(); ++k) {
            gather->sum.kinds[k] += c->kinds[k];
          }
        }
        last = --gather->remaining == 0;
        if (last) sum = gather->sum;
      }
      if (!last) return;
      v1::CountShopsResponse resp;
      resp.set_shops(sum.shops);
      resp.set_at_risk(sum.at_risk);
      for (size_t v = 1; v < sum.verdicts.size(); ++v) {
        if (sum.verdicts[v] == 0) continue;
        v1::VerdictCount* vc = resp.add_verdicts();
        vc->set_verdict(static_cast<v1::Verdict>(v));
        vc->set_shops(sum.verdicts[v]);
      }
      for (size_t k = 1; k < sum.kinds.size(); ++k) {
        if (sum.kinds[k] == 0 || !v1::AlertKind_IsValid(static_cast<int>(k))) {
          continue;
        }
        v1::RiskCount* rc = resp.add_risks();
        rc->set_kind(static_cast<v1::AlertKind>(k));
        rc->set_shops(sum.kinds[k]);
      }
      gather->done(std::move(resp));
    };
    tasks.push_back(std::move(t));
  }
  return tasks;
}

}  // namespace depositd::daemon
