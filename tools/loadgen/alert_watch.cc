#include "tools/loadgen/alert_watch.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/loadgen/channels.h"
#include "tools/loadgen/workload.h"

namespace depositd::loadgen {

AlertWatch::AlertWatch(const std::shared_ptr<grpc::Channel>& channel,
                       const v1::WatchAlertsRequest& request, Handler on_alert)
    : stub_(v1::Alerts::NewStub(channel)) {
  thread_ = std::thread([this, request, on_alert] {
    uint64_t next = request.from_sequence();
    for (;;) {
      grpc::ClientContext* ctx;
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
        context_ = std::make_unique<grpc::ClientContext>();
        ctx = context_.get();
      }
      v1::WatchAlertsRequest r = request;
      r.set_from_sequence(next);
      auto reader = stub_->Watch(ctx, r);
      v1::Alert alert;
      while (reader->Read(&alert)) {
        next = alert.sequence() + 1;
        on_alert(alert, absl::Now());
      }
      absl::Status s = FromGrpc(reader->Finish());
      if (s.code() == absl::StatusCode::kResourceExhausted && next > 0) {
        resumes_.fetch_add(1);
        continue;
      }
      absl::MutexLock lock(&mu_);
      status_ = s;
      return;
    }
  });
}

absl::Status AlertWatch::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  thread_.join();
  absl::MutexLock lock(&mu_);
  if (status_.code() == absl::StatusCode::kCancelled) return absl::OkStatus();
  return status_;
}

v1::WatchAlertsRequest DisputeDueAlerts(const std::string& tenant) {
  v1::WatchAlertsRequest req;
  req.mutable_filter()->set_tenant(tenant);
  req.mutable_filter()->add_kinds(v1::DISPUTE_RESPONSE_DUE);
  return req;
}

AlertWatch::Handler RunSubjects(const std::string& prefix,
                                const std::string& subject_prefix,
                                std::atomic<bool>* probe_seen,
                                SubjectHandler on_subject) {
  const std::string probe_prefix = absl::StrCat("probe-", prefix, "-");
  return
      [probe_prefix, subject_prefix, probe_seen,
       on_subject = std::move(on_subject)](const v1::Alert& a, absl::Time now) {
        if (a.state() != v1::FIRING) return;
        const std::string& subject = a.key().subject();
        if (absl::StartsWith(subject, probe_prefix)) {
          *probe_seen = true;
          return;
        }
        if (!absl::StartsWith(subject, subject_prefix)) return;
        on_subject(a, TrailingNumber(subject), now);
      };
}

absl::Status ProbeWatch(const std::shared_ptr<grpc::Channel>& channel,
                        const LoadgenOptions& o, absl::Time clock_now,
                        const std::string& prefix,
                        const std::atomic<bool>& seen) {
  auto ingest = v1::EventIngest::NewStub(channel);
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  for (int k = 0; !seen.load(); ++k) {
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          "no probe alert arrived on Alerts.Watch within 20 s");
    }
    v1::EventBatch batch;
    batch.set_batch_seq(k + 1);
    MakeDisputeOpened(o.tenant, absl::StrCat("probe-", prefix),
                      absl::StrCat("probe-", prefix, "-", k),
                      absl::StrCat("probe-", prefix, "-", k),
                      clock_now + absl::Hours(1), absl::Now(),
                      batch.add_events());
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::IngestAck ack;
    grpc::Status s = ingest->Publish(&ctx, batch, &ack);
    if (!s.ok()) return FromGrpc(s);
    if (ack.rejected() > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the probe event was rejected: ", ack.results(0).reason()));
    }
    for (int i = 0; i < 50 && !seen.load(); ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  return absl::OkStatus();
}

int64_t TrailingNumber(absl::string_view s) {
  const size_t dash = s.rfind('-');
  int64_t v;
  if (dash == absl::string_view::npos ||
      !absl::SimpleAtoi(s.substr(dash + 1), &v)) {
    return -1;
  }
  return v;
}

}  // namespace depositd::loadgen
