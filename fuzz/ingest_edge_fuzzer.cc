// Fuzz target: raw bytes as an EventIngest request through the real edge
// decoder (edge::DecodeEventBatch, the code EventIngest.Stream and Publish
// run on every request before anything else). Checks, for any input:
//   - the answer is OK or INVALID_ARGUMENT with a reason; INVALID_ARGUMENT
//     leaves nothing decoded and nothing rejected, and happens only when the
//     bytes are not even an EventBatchWire (the batch's framing);
//   - OK: rejections are in increasing index order, each with a reason; the
//     decoded and rejected events add up to the events the framing holds
//     (or, for a batch that parses whole, to its events);
//   - every decoded event is one protobuf accepts: it serializes and parses
//     back to the same bytes (so no string that is not UTF-8 gets through).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "depositd/edge/v1/event_batch_wire.pb.h"
#include "depositd/v1/events.pb.h"
#include "edge/event_batch_decoder.h"
#include "fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using depositd::fuzz::Require;
  const absl::string_view wire(reinterpret_cast<const char*>(data), size);
  depositd::v1::EventBatch batch;
  std::vector<depositd::edge::EventRejection> rejected;
  depositd::edge::DecodeOptions options;
  options.max_events = 50;  // small, so the limit is reached too
  const absl::Status s =
      depositd::edge::DecodeEventBatch(wire, &batch, &rejected, options);

  depositd::edge::v1::EventBatchWire framing;
  const bool framed = framing.ParseFromArray(data, static_cast<int>(size));
  if (!s.ok()) {
    Require(s.code() == absl::StatusCode::kInvalidArgument,
            "a batch error is INVALID_ARGUMENT", s.ToString());
    Require(!s.message().empty(), "a batch error has a reason");
    Require(batch.events_size() == 0 && rejected.empty(),
            "a batch error leaves nothing decoded or rejected");
    Require(!framed, "a batch whose framing parses is never refused whole");
    return 0;
  }
  Require(framed, "a decoded batch has a valid framing");
  Require(batch.batch_seq() == framing.batch_seq(), "batch_seq is kept");
  Require(batch.events_size() + static_cast<int>(rejected.size()) ==
              framing.events_size(),
          "every event is decoded or rejected");
  int last = -1;
  for (const depositd::edge::EventRejection& r : rejected) {
    Require(r.index > last && r.index < framing.events_size(),
            "rejections in increasing index order, in range");
    Require(!r.reason.empty(), "every rejection has a reason");
    last = r.index;
  }
  for (const depositd::v1::Event& e : batch.events()) {
    std::string bytes;
    Require(e.SerializeToString(&bytes), "a decoded event serializes");
    depositd::v1::Event again;
    Require(again.ParseFromString(bytes), "a decoded event parses back");
    Require(again.SerializeAsString() == bytes, "and round-trips");
  }
  return 0;
}
