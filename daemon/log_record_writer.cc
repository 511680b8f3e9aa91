#include "daemon/log_record_writer.h"

#include <utility>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace depositd::daemon {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedOutputStream;

constexpr uint8_t Tag(int field, WireFormatLite::WireType type) {
  return static_cast<uint8_t>(WireFormatLite::MakeTag(field, type));
}
constexpr auto kVarint = WireFormatLite::WIRETYPE_VARINT;
constexpr auto kBytes = WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

// ProcessingGroup fields.
constexpr uint8_t kGroupAtTag = Tag(1, kVarint);
constexpr uint8_t kGroupEventTag = Tag(2, kBytes);
constexpr uint8_t kGroupFiredTag = Tag(3, kBytes);
constexpr uint8_t kGroupAckTag = Tag(4, kBytes);
constexpr uint8_t kGroupHeartbeatTag = Tag(5, kBytes);
constexpr uint8_t kGroupSeqTag = Tag(6, kVarint);
constexpr uint8_t kGroupConfigVersionTag = Tag(7, kVarint);
constexpr uint8_t kGroupConfigChangeTag = Tag(8, kVarint);
constexpr uint8_t kGroupConfigPreviousTag = Tag(9, kVarint);
// ShardPart / LogRecord.
constexpr uint8_t kPartShardTag = Tag(1, kVarint);  // ShardPart.shard
constexpr uint8_t kPartGroupTag = Tag(2, kBytes);   // ShardPart.groups
constexpr uint8_t kRecordPartTag = Tag(1, kBytes);  // LogRecord.parts
// ShopRef.
constexpr uint8_t kRefTenantTag = Tag(1, kBytes);
constexpr uint8_t kRefShopTag = Tag(2, kBytes);

static_assert(kGroupEventTag == 0x12 && kGroupSeqTag == 0x30 &&
                  kRecordPartTag == 0x0a,
              "tags of log.proto");

void PutVarint(std::string* out, uint64_t v) {
  uint8_t buf[10];
  const uint8_t* end = CodedOutputStream::WriteVarint64ToArray(v, buf);
  out->append(reinterpret_cast<const char*>(buf),
              static_cast<size_t>(end - buf));
}

size_t VarintSize(uint64_t v) { return CodedOutputStream::VarintSize64(v); }

void PutLengthDelimited(std::string* out, uint8_t tag, absl::string_view s) {
  out->push_back(static_cast<char>(tag));
  PutVarint(out, s.size());
  out->append(s.data(), s.size());
}

}  // namespace

void LogRecordWriter::AddEvent(const v1::Event& ev) {
  const size_t n = ev.ByteSizeLong();
  body_.push_back(static_cast<char>(kGroupEventTag));
  PutVarint(&body_, n);
  const size_t old = body_.size();
  body_.resize(old + n);
  ev.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(&body_[old]));
}

void LogRecordWriter::AddAck(const store::v1::AlertAck& ack) {
  PutLengthDelimited(&body_, kGroupAckTag, ack.SerializeAsString());
}

void LogRecordWriter::AddHeartbeat(absl::string_view tenant) {
  PutLengthDelimited(&body_, kGroupHeartbeatTag, tenant);
}

void LogRecordWriter::AddConfigChange(uint64_t previous_version) {
  body_.push_back(static_cast<char>(kGroupConfigChangeTag));
  PutVarint(&body_, 1);
  if (previous_version == 0) return;
  body_.push_back(static_cast<char>(kGroupConfigPreviousTag));
  PutVarint(&body_, previous_version);
}

void LogRecordWriter::AddConfigVersion(uint64_t version) {
  if (version == 0) return;
  body_.push_back(static_cast<char>(kGroupConfigVersionTag));
  PutVarint(&body_, version);
}

void LogRecordWriter::AddFired(absl::string_view tenant,
                               absl::string_view shop_id) {
  std::string ref;
  PutLengthDelimited(&ref, kRefTenantTag, tenant);
  PutLengthDelimited(&ref, kRefShopTag, shop_id);
  PutLengthDelimited(&body_, kGroupFiredTag, ref);
}

void LogRecordWriter::Seal(uint32_t shard, int64_t at_nanos, uint64_t seq,
                           CommitItem* item) {
  // ProcessingGroup = at + seq + body; wrap it in ShardPart and LogRecord
  // headers (the body is not copied).
  std::string at;
  at.push_back(static_cast<char>(kGroupAtTag));
  PutVarint(&at, static_cast<uint64_t>(at_nanos));
  at.push_back(static_cast<char>(kGroupSeqTag));
  PutVarint(&at, seq);
  const size_t group_len = at.size() + body_.size();
  const size_t part_len =
      1 + VarintSize(shard) + 1 + VarintSize(group_len) + group_len;
  std::string head;
  head.push_back(static_cast<char>(kRecordPartTag));
  PutVarint(&head, part_len);
  head.push_back(static_cast<char>(kPartShardTag));
  PutVarint(&head, shard);
  head.push_back(static_cast<char>(kPartGroupTag));
  PutVarint(&head, group_len);
  head.append(at);
  item->record_head = std::move(head);
  item->record_body = std::move(body_);
  body_ = std::string();
}

}  // namespace depositd::daemon
