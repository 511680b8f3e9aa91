// Decodes an EventIngest request (depositd.v1.EventBatch, binary protobuf)
// without letting one bad event take its batch, or its stream, down.
//
// gRPC's own decoding of a proto3 message fails as a whole when any string
// field holds bytes that are not UTF-8 (a client cutting a string inside an
// emoji is enough), and the server then cannot tell the client which event
// was wrong. depositd therefore receives ingest requests as raw bytes and
// decodes them here:
//
//   1. The whole batch is parsed as a depositd.v1.EventBatch (the fast
//      path: every well-formed batch, one parse, no copy of the bytes).
//   2. Only if that fails, the bytes are parsed again as an EventBatchWire
//      (depositd/edge/v1/event_batch_wire.proto: the same fields, each event
//      left as bytes). If even that fails, the batch is not an EventBatch
//      (truncated, garbage): INVALID_ARGUMENT for the batch. Otherwise each
//      event is checked on its own: a string field that is not well-formed
//      UTF-8, or an event that does not parse, is rejected with a reason
//      naming the field; the other events are kept in order.
//
//   ::depositd::v1::EventBatch batch;
//   std::vector<edge::EventRejection> rejected;
//   absl::Status s = edge::DecodeEventBatch(bytes, &batch, &rejected);
//   // !s.ok(): answer INVALID_ARGUMENT with s.message().
//   // Otherwise batch holds the events to ingest; rejected the others,
//   // by their index in the batch as sent.
//
// Pure (no I/O) and thread-safe. When step 1 fails on a string that is not
// UTF-8, protobuf itself logs one line (depositd_main.cc throttles
// protobuf's log); events checked in step 2 are walked before they are
// parsed, so they add none.
#ifndef DEPOSITD_EDGE_EVENT_BATCH_DECODER_H_
#define DEPOSITD_EDGE_EVENT_BATCH_DECODER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "depositd/v1/events.pb.h"
#include "google/protobuf/io/zero_copy_stream.h"

namespace depositd::edge {

// An event of the batch as sent that was not decoded.
struct EventRejection {
  // Its index in the batch as sent (0-based).
  int index = 0;
  // What is wrong and how to fix it, e.g. "event 3: field
  // order_status_changed.order_id is not valid UTF-8 (byte 7) ...".
  std::string reason;
};

struct DecodeOptions {
  // A batch with more events has them all rejected, with this limit in the
  // reason (as Engine::Ingest does for a well-formed batch).
  int max_events = 10000;
};

// Opens a fresh stream over the request's bytes, from the start. Called
// once for a well-formed batch, twice otherwise.
using WireSource = absl::FunctionRef<
    std::unique_ptr<google::protobuf::io::ZeroCopyInputStream>()>;

// Decodes one request into `batch` (cleared first; it may live on an
// arena) and `rejected` (cleared first; sorted by index). The events of
// the batch as sent are batch->events() and `rejected`, interleaved by
// index. Returns INVALID_ARGUMENT, with a reason a person can act on, when
// the bytes are not an EventBatch at all; `batch` is then empty.
absl::Status DecodeEventBatch(WireSource wire,
                              ::depositd::v1::EventBatch* batch,
                              std::vector<EventRejection>* rejected,
                              const DecodeOptions& options = {});
// The same over contiguous bytes.
absl::Status DecodeEventBatch(absl::string_view wire,
                              ::depositd::v1::EventBatch* batch,
                              std::vector<EventRejection>* rejected,
                              const DecodeOptions& options = {});

}  // namespace depositd::edge

#endif  // DEPOSITD_EDGE_EVENT_BATCH_DECODER_H_
