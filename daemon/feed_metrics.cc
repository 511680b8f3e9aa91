#include "daemon/feed_metrics.h"

namespace depositd::daemon {
namespace {

prometheus::Family<prometheus::Counter>& Counter(prometheus::Registry* r,
                                                 const std::string& name,
                                                 const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(*r);
}

std::string S(absl::string_view v) { return std::string(v); }

}  // namespace

FeedMetrics::FeedMetrics(prometheus::Registry* registry)
    : received_(Counter(registry, "depositd_feed_requests_received_total",
                        "Webhook requests received, by platform.")),
      verified_(Counter(registry, "depositd_feed_requests_verified_total",
                        "Webhook requests whose signature (or token) held.")),
      rejected_(Counter(registry, "depositd_feed_requests_rejected_total",
                        "Webhook requests answered 4xx, by reason; nothing "
                        "was written.")),
      unavailable_(Counter(
          registry, "depositd_feed_requests_unavailable_total",
          "Webhook requests answered 5xx so the platform retries: store not "
          "writable, or not durable within the answer timeout.")),
      events_(Counter(registry, "depositd_feed_events_total",
                      "Canonical events produced from webhook requests.")),
      outcomes_(Counter(registry, "depositd_feed_event_outcomes_total",
                        "Webhook events by ingest outcome (applied, "
                        "duplicate, rejected).")),
      unknown_(Counter(registry, "depositd_feed_unknown_types_total",
                       "Webhook messages of a type depositd does not use: "
                       "accepted and ignored.")) {}

void FeedMetrics::Received(absl::string_view platform) {
  received_.Add({{"platform", S(platform)}}).Increment();
}
void FeedMetrics::Verified(absl::string_view platform) {
  verified_.Add({{"platform", S(platform)}}).Increment();
}
void FeedMetrics::Rejected(absl::string_view platform,
                           absl::string_view reason) {
  rejected_.Add({{"platform", S(platform)}, {"reason", S(reason)}}).Increment();
}
void FeedMetrics::Unavailable(absl::string_view platform,
                              absl::string_view reason) {
  unavailable_.Add({{"platform", S(platform)}, {"reason", S(reason)}})
      .Increment();
}
void FeedMetrics::Events(absl::string_view platform, int64_t n) {
  events_.Add({{"platform", S(platform)}}).Increment(static_cast<double>(n));
}
void FeedMetrics::Outcomes(absl::string_view platform, int64_t applied,
                           int64_t duplicates, int64_t rejected) {
  outcomes_.Add({{"platform", S(platform)}, {"outcome", "applied"}})
      .Increment(static_cast<double>(applied));
  outcomes_.Add({{"platform", S(platform)}, {"outcome", "duplicate"}})
      .Increment(static_cast<double>(duplicates));
  outcomes_.Add({{"platform", S(platform)}, {"outcome", "rejected"}})
      .Increment(static_cast<double>(rejected));
}
void FeedMetrics::UnknownTypes(absl::string_view platform, int64_t n) {
  unknown_.Add({{"platform", S(platform)}}).Increment(static_cast<double>(n));
}

}  // namespace depositd::daemon
