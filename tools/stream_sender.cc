#include "tools/stream_sender.h"

#include <atomic>
#include <deque>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace depositd::tools {

struct StreamSender::Shared {
  absl::Mutex mu;
  // Batches written (or about to be) and not yet acknowledged, oldest first.
  std::deque<std::shared_ptr<SentBatch>> pending ABSL_GUARDED_BY(mu);
  // Set when the reading side is finished: the writer must stop.
  bool reader_done ABSL_GUARDED_BY(mu) = false;
  std::atomic<int64_t> events_sent{0};
  std::atomic<int64_t> events_acked{0};
};

StreamSender::StreamSender(v1::EventIngest::StubInterface* stub,
                           const Options& options)
    : stub_(stub), options_(options), shared_(std::make_unique<Shared>()) {}

StreamSender::~StreamSender() = default;

void StreamSender::Cancel() { context_.TryCancel(); }

int64_t StreamSender::events_sent() const {
  return shared_->events_sent.load(std::memory_order_relaxed);
}

int64_t StreamSender::events_acked() const {
  return shared_->events_acked.load(std::memory_order_relaxed);
}

absl::Status StreamSender::Run(const Producer& produce,
                               const AckHandler& on_ack) {
  if (options_.batch_size < 1 || options_.batch_size > 10000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch size must be 1 to 10000, not ", options_.batch_size));
  }
  if (options_.max_in_flight < 1) {
    return absl::InvalidArgumentError("max_in_flight must be at least 1");
  }
  if (options_.deadline != absl::InfiniteDuration()) {
    context_.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  }
  context_.set_wait_for_ready(options_.wait_for_ready);
  std::unique_ptr<
      grpc::ClientReaderWriterInterface<v1::EventBatch, v1::IngestAck>>
      stream = stub_->Stream(&context_);
  Shared& shared = *shared_;

  std::thread writer([&] {
    uint64_t next_seq = options_.first_batch_seq;
    bool more = true;
    while (more) {
      auto batch = std::make_shared<SentBatch>();
      batch->batch.set_batch_seq(next_seq);
      while (batch->tags.size() < static_cast<size_t>(options_.batch_size)) {
        Item item;
        if (!produce(&item)) {
          more = false;
          break;
        }
        *batch->batch.add_events() = std::move(item.event);
        batch->tags.push_back(item.tag);
      }
      if (batch->tags.empty()) break;
      {
        absl::MutexLock lock(&shared.mu);
        auto can_send = [&]() ABSL_SHARED_LOCKS_REQUIRED(shared.mu) {
          return shared.reader_done ||
                 shared.pending.size() <
                     static_cast<size_t>(options_.max_in_flight);
        };
        shared.mu.Await(absl::Condition(&can_send));
        if (shared.reader_done) return;
        shared.pending.push_back(batch);
      }
      ++next_seq;
      if (!stream->Write(batch->batch)) return;  // The stream is broken.
      shared.events_sent.fetch_add(batch->tags.size(),
                                   std::memory_order_relaxed);
    }
    stream->WritesDone();
  });

  absl::Status protocol_error;
  v1::IngestAck ack;
  while (stream->Read(&ack)) {
    std::shared_ptr<SentBatch> batch;
    {
      absl::MutexLock lock(&shared.mu);
      if (shared.pending.empty() ||
          shared.pending.front()->batch.batch_seq() != ack.batch_seq()) {
        protocol_error = absl::InternalError(absl::StrCat(
            "ack for batch_seq ", ack.batch_seq(), " but expected ",
            shared.pending.empty()
                ? std::string("no ack")
                : absl::StrCat(shared.pending.front()->batch.batch_seq())));
        break;
      }
      batch = std::move(shared.pending.front());
      shared.pending.pop_front();
    }
    if (ack.results_size() != batch->batch.events_size()) {
      protocol_error = absl::InternalError(absl::StrCat(
          "ack for batch_seq ", ack.batch_seq(), " has ", ack.results_size(),
          " results for ", batch->batch.events_size(), " events"));
      break;
    }
    shared.events_acked.fetch_add(batch->tags.size(),
                                  std::memory_order_relaxed);
    on_ack(*batch, ack);
  }
  if (!protocol_error.ok()) context_.TryCancel();
  size_t unacked = 0;
  {
    absl::MutexLock lock(&shared.mu);
    shared.reader_done = true;
  }
  writer.join();
  {
    absl::MutexLock lock(&shared.mu);
    unacked = shared.pending.size();
  }
  grpc::Status status = stream->Finish();
  if (!protocol_error.ok()) return protocol_error;
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  if (unacked > 0) {
    return absl::InternalError(absl::StrCat("the server ended the stream with ",
                                            unacked,
                                            " batches unacknowledged"));
  }
  return absl::OkStatus();
}

}  // namespace depositd::tools
