// StreamSender: sends events to depositd over EventIngest.Stream in batches,
// keeping several batches in flight, and hands every ack back to the caller
// together with the batch it acknowledges.
//
// Used by `depositctl send` and by the integration and crash tests, which
// need to know exactly which events were acknowledged before a failure.
//
//   StreamSender::Options options;
//   options.batch_size = 500;
//   StreamSender sender(stub, options);
//   absl::Status s = sender.Run(
//       [&](StreamSender::Item* item) { ...fill item->event...; return more; },
//       [&](const StreamSender::SentBatch& b, const v1::IngestAck& ack) {...});
#ifndef DEPOSITD_TOOLS_STREAM_SENDER_H_
#define DEPOSITD_TOOLS_STREAM_SENDER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace depositd::tools {

// One session on one stream. Not reusable: call Run() once.
// Thread-safety: Run() is called from one thread; it runs a writer thread
// internally and calls both callbacks on the calling thread's side as
// described below. Cancel() may be called from any thread.
class StreamSender {
 public:
  struct Options {
    // Events per batch (1–10,000).
    int batch_size = 500;
    // Batches written but not yet acknowledged, at most.
    int max_in_flight = 8;
    // Deadline for the whole stream; infinite by default.
    absl::Duration deadline = absl::InfiniteDuration();
    // First batch_seq used; later batches count up from it.
    uint64_t first_batch_seq = 1;
    // Wait (until the deadline) for the channel to connect instead of
    // failing at once with UNAVAILABLE when a connection attempt fails.
    // Load generators and tests opening many connections at once set it;
    // interactive tools keep the fail-fast default.
    bool wait_for_ready = false;
  };

  // What the producer hands over: the event plus an opaque tag (e.g. the
  // input line number) that comes back with the batch.
  struct Item {
    v1::Event event;
    int64_t tag = 0;
  };

  // A batch as sent, with the tags of its events in the same order.
  struct SentBatch {
    v1::EventBatch batch;
    std::vector<int64_t> tags;
  };

  // Fills *item and returns true, or returns false at the end of input.
  // Called on the writer thread only.
  using Producer = std::function<bool(Item* item)>;
  // Called once per ack, in batch order, on the thread that called Run().
  using AckHandler =
      std::function<void(const SentBatch& batch, const v1::IngestAck& ack)>;

  // `stub` is borrowed and must outlive Run().
  StreamSender(v1::EventIngest::StubInterface* stub, const Options& options);
  ~StreamSender();

  // Sends everything the producer yields and waits for every ack. OK when
  // every batch was acknowledged. Otherwise the stream's status (e.g.
  // UNAVAILABLE when the daemon went away, with what was acknowledged
  // already handed to `on_ack`), or INTERNAL when the server acknowledged
  // batches out of order or ended the stream early with OK.
  absl::Status Run(const Producer& produce, const AckHandler& on_ack);

  // Ends the stream early (e.g. on Ctrl-C); Run() returns CANCELLED.
  void Cancel();

  // Counters, safe to read from any thread while Run() is going.
  int64_t events_sent() const;
  int64_t events_acked() const;

 private:
  struct Shared;
  v1::EventIngest::StubInterface* stub_;
  Options options_;
  grpc::ClientContext context_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace depositd::tools

#endif  // DEPOSITD_TOOLS_STREAM_SENDER_H_
