// Alerts.Watch for the modes of depositd-loadgen that time alerts
// (alert-latency, deadlines): a Watch on its own thread that resumes after
// RESOURCE_EXHAUSTED, the handler that picks a run's alerts out of it, and
// the probe that proves the Watch live before a measurement starts.
//
// Failure contract: AlertWatch::Stop returns the call's gRPC status (OK when
// it was cancelled by Stop itself). ProbeWatch returns DEADLINE_EXCEEDED when
// no probe alert arrived within 20 s, FAILED_PRECONDITION when the probe
// event was rejected, and the Publish call's status otherwise.
//
// Thread-safety: see each declaration; handlers run on the watch thread.
#ifndef DEPOSITD_TOOLS_LOADGEN_ALERT_WATCH_H_
#define DEPOSITD_TOOLS_LOADGEN_ALERT_WATCH_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tools/loadgen/modes.h"

namespace depositd::loadgen {

// Reads Alerts.Watch on its own thread and hands each alert, with its
// arrival time, to `on_alert`. As the API asks of clients, a Watch ended with
// RESOURCE_EXHAUSTED (it fell too far behind, e.g. a burst of thousands of
// alerts in one commit) is resumed from the last sequence received + 1, so
// nothing is lost; resumes() counts them. Thread-safety: Stop() from the
// owning thread, which must call it before the watch is destroyed; on_alert
// runs on the watch thread.
class AlertWatch {
 public:
  using Handler = std::function<void(const v1::Alert&, absl::Time)>;
  AlertWatch(const std::shared_ptr<grpc::Channel>& channel,
             const v1::WatchAlertsRequest& request, Handler on_alert);
  // Cancels the call and joins; the call's own status unless we cancelled.
  absl::Status Stop();
  int64_t resumes() const { return resumes_.load(); }

 private:
  std::unique_ptr<v1::Alerts::Stub> stub_;
  std::thread thread_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<grpc::ClientContext> context_ ABSL_GUARDED_BY(mu_);
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> resumes_{0};
};

// The Watch request for the DISPUTE_RESPONSE_DUE alerts of `tenant`: the
// kind that both ProbeWatch's probes and the timed disputes raise.
v1::WatchAlertsRequest DisputeDueAlerts(const std::string& tenant);

// A Watch handler for one run's FIRING alerts (ids prefixed `prefix`): the
// alert of a ProbeWatch probe sets *probe_seen; one whose subject starts with
// `subject_prefix` goes to `on_subject` with the subject's TrailingNumber;
// the others are ignored. Runs on the watch thread, as `on_subject` does.
using SubjectHandler =
    std::function<void(const v1::Alert&, int64_t number, absl::Time)>;
AlertWatch::Handler RunSubjects(const std::string& prefix,
                                const std::string& subject_prefix,
                                std::atomic<bool>* probe_seen,
                                SubjectHandler on_subject);

// Sends probe disputes (due within the lead, so they fire at once) until one
// comes back on the watch, so that measurements start with a live Watch.
// `clock_now` is the daemon's clock (the test clock where it runs one);
// `seen` is set by the watch's handler (see RunSubjects).
absl::Status ProbeWatch(const std::shared_ptr<grpc::Channel>& channel,
                        const LoadgenOptions& o, absl::Time clock_now,
                        const std::string& prefix,
                        const std::atomic<bool>& seen);

// The number after the last '-' of `s`, or -1.
int64_t TrailingNumber(absl::string_view s);

}  // namespace depositd::loadgen

#endif  // DEPOSITD_TOOLS_LOADGEN_ALERT_WATCH_H_
