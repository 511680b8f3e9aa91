// LogRecordWriter: builds a shard's share of one log record (see
// proto/depositd/store/v1/log.proto) as the step runs, without building the
// message: each accepted event, acknowledgement, heartbeat and fired shop
// is appended in the protobuf wire format as it happens (an event is
// serialized once, straight into the body), and Seal wraps the body in its
// ProcessingGroup, ShardPart and LogRecord headers (a LogRecord is
// concatenable, so the committer joins the shards' parts without parsing).
//
// Not thread-safe; owned by one shard and used on its thread.
#ifndef DEPOSITD_DAEMON_LOG_RECORD_WRITER_H_
#define DEPOSITD_DAEMON_LOG_RECORD_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "daemon/engine_internal.h"
#include "depositd/store/v1/log.pb.h"
#include "depositd/v1/events.pb.h"

namespace depositd::daemon {

class LogRecordWriter {
 public:
  // ProcessingGroup.events: an accepted event, in apply order.
  void AddEvent(const v1::Event& event);
  // ProcessingGroup.acks: an acknowledgement that changed an alert book.
  void AddAck(const store::v1::AlertAck& ack);
  // ProcessingGroup.heartbeats: the tenant's feed was heard.
  void AddHeartbeat(absl::string_view tenant);
  // ProcessingGroup.fired: a shop whose deadline firing changed its alerts.
  void AddFired(absl::string_view tenant, absl::string_view shop_id);

  // ProcessingGroup.config_change and config_previous_version: the group is
  // a configuration change from that version (config_change.h).
  void AddConfigChange(uint64_t previous_version);
  // ProcessingGroup.config_version (nothing for 0); add it last, just
  // before Seal, to a group that is not empty.
  void AddConfigVersion(uint64_t version);

  // Nothing added since the last Seal.
  bool empty() const { return body_.empty(); }

  // Moves what was added into item->record_head / record_body as one
  // LogRecord with one ShardPart (`shard`) holding one ProcessingGroup
  // processed at `at_nanos` with sequence `seq`; the writer is then empty.
  // Call only when !empty().
  void Seal(uint32_t shard, int64_t at_nanos, uint64_t seq, CommitItem* item);

 private:
  std::string body_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_LOG_RECORD_WRITER_H_
