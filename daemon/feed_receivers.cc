#include "daemon/feed_receivers.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "feeds/amazon_feed.h"

namespace depositd::daemon {
namespace {

constexpr char kTextPlain[] = "text/plain; charset=utf-8";
constexpr absl::string_view kPrefix = "/hooks/";

int HttpStatusFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    default:
      return 400;  // malformed, stale
  }
}

// The ack, waited for by the request's worker and filled by the engine.
struct PendingAck {
  absl::Notification done;
  v1::IngestAck ack;
};

}  // namespace

FeedReceivers::Options FeedReceivers::ForEngine(
    Engine* engine, std::function<absl::Time()> now) {
  Options o;
  o.ingest = [engine](v1::EventBatch batch,
                      std::function<void(v1::IngestAck)> done) {
    engine->Ingest(std::move(batch), nullptr, std::move(done));
  };
  o.writable = [engine] { return engine->WritableStatus(); };
  o.now = std::move(now);
  return o;
}

absl::StatusOr<std::shared_ptr<FeedReceivers>> FeedReceivers::Create(
    ConfiguredFeeds feeds, Options options) {
  if (!options.ingest || !options.writable || !options.now ||
      options.registry == nullptr) {
    return absl::InvalidArgumentError(
        "FeedReceivers needs ingest, writable, now and a registry");
  }
  return std::shared_ptr<FeedReceivers>(
      new FeedReceivers(std::move(feeds), std::move(options)));
}

FeedReceivers::FeedReceivers(ConfiguredFeeds feeds, Options options)
    : feeds_(std::move(feeds)),
      options_(std::move(options)),
      metrics_(options_.registry),
      rejections_(absl::Seconds(10),
                  [](absl::string_view line) { LogWarning("hooks", line); }) {}

std::string FeedReceivers::Summary() const {
  std::vector<std::string> names;
  for (const auto& [name, feed] : feeds_.platforms) names.push_back(name);
  if (feeds_.amazon) names.push_back("amazon");
  return absl::StrJoin(names, ", ");
}

HttpHookResponse FeedReceivers::Reject(absl::string_view platform, int status,
                                       absl::string_view reason,
                                       absl::string_view why) {
  metrics_.Rejected(platform, reason);
  rejections_.Note(absl::StrCat("/hooks/", platform, ": ", status, " ", why));
  return {status, kTextPlain, absl::StrCat(why, "\n")};
}

HttpHookResponse FeedReceivers::Handle(const HttpHookRequest& request) {
  if (!absl::StartsWith(request.path, kPrefix)) {
    return {404, kTextPlain, "not a webhook path\n"};
  }
  const absl::string_view platform =
      absl::string_view(request.path).substr(kPrefix.size());
  if (platform == "amazon" && feeds_.amazon) return HandleAmazon(request);
  auto it = feeds_.platforms.find(platform);
  if (it == feeds_.platforms.end()) {
    return {404, kTextPlain,
            absl::StrCat("no feed configured for ", request.path,
                         " (served: ", Summary(), ")\n")};
  }
  const ConfiguredFeed& configured = it->second;
  metrics_.Received(platform);
  if (request.body_too_large) {
    return Reject(platform, 413, "too_large",
                  absl::StrCat("the body is over feeds.max_body_bytes (",
                               feeds_.max_body_bytes, " bytes)"));
  }
  feeds::FeedRequest feed_request;
  feed_request.headers = request.headers;
  feed_request.body = request.body;
  feed_request.query = request.query;
  absl::StatusOr<feeds::FeedDelivery> delivery =
      configured.feed->Receive(feed_request, options_.now());
  if (!delivery.ok()) {
    return Reject(platform, HttpStatusFor(delivery.status()),
                  feeds::RejectionReason(delivery.status()),
                  delivery.status().message());
  }
  metrics_.Verified(platform);
  return IngestAndAnswer(platform, *std::move(delivery),
                         configured.feed->answer(), configured.answer_timeout);
}

HttpHookResponse FeedReceivers::HandleAmazon(const HttpHookRequest& request) {
  constexpr absl::string_view kAmazon = "amazon";
  metrics_.Received(kAmazon);
  // The tenant: the token's, or ?tenant= for a token of every tenant (and
  // with authentication off).
  std::string query_tenant;
  for (absl::string_view kv : absl::StrSplit(request.query, '&')) {
    if (absl::StartsWith(kv, "tenant=")) {
      query_tenant = std::string(kv.substr(7));
    }
  }
  Principal who = Principal::Unrestricted();
  if (options_.authorizer != nullptr) {
    std::vector<absl::string_view> authorization;
    auto h = request.headers.find("authorization");
    if (h != request.headers.end()) authorization.push_back(h->second);
    absl::StatusOr<Principal> p =
        options_.authorizer->AuthenticateHeader(authorization);
    if (!p.ok()) {
      return Reject(kAmazon, 401, "unauthorized", p.status().message());
    }
    who = *std::move(p);
    if (absl::Status s = RequireRole(who, {Role::kIngest}, "/hooks/amazon");
        !s.ok()) {
      return Reject(kAmazon, 403, "unauthorized", s.message());
    }
  }
  const std::string tenant = who.all_tenants() ? query_tenant : who.tenant;
  if (tenant.empty()) {
    return Reject(kAmazon, 400, "malformed",
                  "which tenant? add ?tenant=NAME to the URL (the token may "
                  "write every tenant)");
  }
  if (!who.MayAccess(tenant)) {
    return Reject(
        kAmazon, 403, "unauthorized",
        absl::StrCat("token \"", who.name, "\" may not write tenant ", tenant));
  }
  if (request.body_too_large) {
    return Reject(kAmazon, 413, "too_large",
                  absl::StrCat("the body is over feeds.max_body_bytes (",
                               feeds_.max_body_bytes, " bytes)"));
  }
  absl::StatusOr<feeds::FeedDelivery> delivery =
      feeds::ReceiveAmazonNotification(request.body, tenant);
  if (!delivery.ok()) {
    return Reject(kAmazon, 400, feeds::RejectionReason(delivery.status()),
                  delivery.status().message());
  }
  metrics_.Verified(kAmazon);
  return IngestAndAnswer(kAmazon, *std::move(delivery),
                         feeds::FeedAnswer{200, "", ""},
                         feeds_.amazon_answer_timeout);
}

HttpHookResponse FeedReceivers::IngestAndAnswer(absl::string_view platform,
                                                feeds::FeedDelivery delivery,
                                                const feeds::FeedAnswer& answer,
                                                absl::Duration timeout) {
  if (delivery.unknown_types > 0) {
    metrics_.UnknownTypes(platform, delivery.unknown_types);
  }
  const HttpHookResponse ok{answer.status, answer.content_type, answer.body};
  if (delivery.events.empty()) return ok;
  if (absl::Status w = options_.writable(); !w.ok()) {
    metrics_.Unavailable(platform, "not_writable");
    return {503, kTextPlain, absl::StrCat(w.message(), "; retry later\n")};
  }
  const int64_t n = static_cast<int64_t>(delivery.events.size());
  metrics_.Events(platform, n);
  v1::EventBatch batch;
  for (auto& e : delivery.events) *batch.add_events() = std::move(e);
  // Shared with the engine's callback, which may run after this request
  // gave up waiting.
  auto pending = std::make_shared<PendingAck>();
  options_.ingest(std::move(batch), [pending](v1::IngestAck ack) {
    pending->ack = std::move(ack);
    pending->done.Notify();
  });
  if (!pending->done.WaitForNotificationWithTimeout(timeout)) {
    metrics_.Unavailable(platform, "timeout");
    return {503, kTextPlain,
            absl::StrCat("the events were not durable within ",
                         absl::FormatDuration(timeout),
                         "; retry (a retry is deduplicated)\n")};
  }
  const v1::IngestAck& ack = pending->ack;
  metrics_.Outcomes(platform, ack.applied(), ack.duplicates(), ack.rejected());
  if (ack.rejected() > 0) {
    for (const v1::EventResult& r : ack.results()) {
      if (r.outcome() == v1::REJECTED) {
        rejections_.Note(absl::StrCat("/hooks/", platform,
                                      ": an event was rejected (answered ",
                                      answer.status, "): ", r.reason()));
        break;
      }
    }
  }
  return ok;
}

}  // namespace depositd::daemon
