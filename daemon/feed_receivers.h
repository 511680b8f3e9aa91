// FeedReceivers: POST /hooks/tiktok, /hooks/douyin, /hooks/shopee,
// /hooks/temu and /hooks/amazon on the HTTP edge. Each request is verified
// and mapped by its platform's feed (feeds/), and its events go through
// the same path as EventIngest.Publish: Engine::Ingest (validation,
// deduplication, durable group commit). The platform gets its expected
// answer (feeds::PlatformFeed::answer(): status and exact body) only after
// every event is durable.
//
// Answers
//   200 + the platform's body  verified, and every event durable (applied,
//                              duplicate, or rejected by validation: a
//                              retry would be rejected again, so it is
//                              logged and counted, not retried); also for
//                              requests with no event (unknown type,
//                              Douyin's verification push)
//   400 malformed body or stale timestamp; 401 bad or missing signature
//   (Amazon: bearer token); 403 unknown app key (Amazon: token without role
//   ingest or tenant); 404 platform not configured; 413 body over
//   feeds.max_body_bytes. Nothing is written for any 4xx.
//   503 the store is not writable, or the events were not durable within
//   the platform's answer timeout: the platform retries, and deduplication
//   makes the retry safe (events that became durable meanwhile come back
//   DUPLICATE).
// The body of a 4xx/5xx says why in one line; it never holds a secret.
//
// Thread-safety: thread-safe; Handle runs on several edge workers at once
// and blocks its worker until durability or the timeout.
#ifndef DEPOSITD_DAEMON_FEED_RECEIVERS_H_
#define DEPOSITD_DAEMON_FEED_RECEIVERS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/auth.h"
#include "daemon/feed_config.h"
#include "daemon/feed_metrics.h"
#include "daemon/http_hook.h"
#include "daemon/log_throttle.h"
#include "depositd/v1/service.pb.h"

namespace depositd::daemon {

class Engine;

class FeedReceivers final : public HttpHookHandler {
 public:
  struct Options {
    // Ingests a batch; `done` runs once with its ack after durability
    // (Engine::Ingest). Required.
    std::function<void(v1::EventBatch, std::function<void(v1::IngestAck)>)>
        ingest;
    // OK while the store accepts writes (Engine::WritableStatus). Required.
    std::function<absl::Status()> writable;
    // "Now" for the feeds' staleness checks (the engine clock). Required.
    std::function<absl::Time()> now;
    // /hooks/amazon's bearer tokens; null: authentication off (loopback),
    // the tenant then comes from ?tenant=.
    const Authorizer* authorizer = nullptr;
    // Where the counters go (borrowed). Required.
    prometheus::Registry* registry = nullptr;
  };
  // Options for an engine: its Ingest, WritableStatus and clock.
  static Options ForEngine(Engine* engine, std::function<absl::Time()> now);

  // INVALID_ARGUMENT when a required option is missing.
  static absl::StatusOr<std::shared_ptr<FeedReceivers>> Create(
      ConfiguredFeeds feeds, Options options);

  // "tiktok, shopee, amazon" for the start line.
  std::string Summary() const;
  bool empty() const { return feeds_.empty(); }

  size_t max_body_bytes() const override { return feeds_.max_body_bytes; }
  HttpHookResponse Handle(const HttpHookRequest& request) override;

 private:
  FeedReceivers(ConfiguredFeeds feeds, Options options);
  // Amazon: bearer token, then the notification.
  HttpHookResponse HandleAmazon(const HttpHookRequest& request);
  // Ingests `delivery`'s events and waits up to `timeout` for the ack.
  HttpHookResponse IngestAndAnswer(absl::string_view platform,
                                   feeds::FeedDelivery delivery,
                                   const feeds::FeedAnswer& answer,
                                   absl::Duration timeout);
  HttpHookResponse Reject(absl::string_view platform, int status,
                          absl::string_view reason, absl::string_view why);

  const ConfiguredFeeds feeds_;
  const Options options_;
  FeedMetrics metrics_;
  LogThrottle rejections_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_FEED_RECEIVERS_H_
