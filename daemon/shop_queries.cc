#include "daemon/shop_queries.h"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/timestamps.h"
#include "daemon/shard.h"

namespace depositd::daemon {
namespace {

constexpr absl::string_view kPageTokenPrefix = "p1:";

std::string EncodePageToken(absl::string_view key) {
  return absl::WebSafeBase64Escape(absl::StrCat(kPageTokenPrefix, key));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      !absl::StartsWith(raw, kPageTokenPrefix)) {
    return absl::InvalidArgumentError(
        "page_token is not one this server issued: pass next_page_token "
        "from the previous ListShops response unchanged, or omit it to "
        "start from the first page");
  }
  return raw.substr(kPageTokenPrefix.size());
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
  std::string after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> k = DecodePageToken(request.page_token());
    if (!k.ok()) return k.status();
    after = *std::move(k);
  }
  if (!request.tenant().empty() && after < request.tenant()) {
    after = request.tenant();  // first key of the tenant is tenant "\0" ...
  }
  struct Gather {
    absl::Mutex mu;
    std::map<std::string, v1::ShopSummary> found ABSL_GUARDED_BY(mu);
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
      std::vector<std::pair<std::string, v1::ShopSummary>> local;
      bool more = false;
      s.ScanFrom(after, [&](const ShopEntry& e) {
        if (!request.tenant().empty()) {
          if (e.state.tenant() != request.tenant()) {
            return e.state.tenant() < request.tenant();  // past the tenant
          }
        }
        const std::string& profile = e.profile->settings.name();
        if (!request.profile().empty() && request.profile() != profile) {
          return true;
        }
        if (request.risk() != v1::ALERT_KIND_UNSPECIFIED &&
            !e.alerts.HasFiring(request.risk())) {
          return true;
        }
        v1::ReadinessReport report = e.state.Evaluate(now, *e.profile);
        if (request.verdicts_size() > 0 &&
            std::find(request.verdicts().begin(), request.verdicts().end(),
                      report.verdict()) == request.verdicts().end()) {
          return true;
        }
        if (static_cast<int>(local.size()) == page_size) {
          more = true;
          return false;
        }
        v1::ShopSummary sum;
        sum.set_tenant(e.state.tenant());
        sum.set_shop_id(e.state.shop_id());
        sum.set_profile(profile);
        sum.set_lifecycle(report.lifecycle());
        sum.set_verdict(report.verdict());
        if (report.has_ready_at()) *sum.mutable_ready_at() = report.ready_at();
        for (const v1::Blocker& b : report.blockers()) {
          sum.add_blocking(b.condition());
        }
        for (const v1::Alert& a : e.alerts.active()) {
          if (std::find(sum.risks().begin(), sum.risks().end(),
                        a.key().kind()) == sum.risks().end()) {
            sum.add_risks(a.key().kind());
          }
        }
        local.emplace_back(e.key, std::move(sum));
        return true;
      });
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
      std::string last_key;
      {
        absl::MutexLock lock(&gather->mu);
        has_more =
            gather->more || static_cast<int>(gather->found.size()) > page_size;
        for (auto& [k, v] : gather->found) {
          if (resp.shops_size() == page_size) break;
          *resp.add_shops() = std::move(v);
          last_key = k;
        }
      }
      if (has_more && !last_key.empty()) {
        resp.set_next_page_token(EncodePageToken(last_key));
      }
      gather->done(std::move(resp));
    };
    tasks.push_back(std::move(t));
  }
  return tasks;
}

}  // namespace depositd::daemon
