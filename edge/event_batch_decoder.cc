#include "edge/event_batch_decoder.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/utf8.h"
#include "depositd/edge/v1/event_batch_wire.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"

namespace depositd::edge {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// Events nest a few messages deep (Event > body > Money / Timestamp); a
// deeper walk only happens for hostile input.
constexpr int kMaxDepth = 32;

struct Utf8Defect {
  std::string field;  // dotted path from the event, e.g. "shop_closed.reason"
  size_t offset;      // of the first bad byte in the field's value
};

// Walks `wire` as a serialized message of type `type`, looking for the
// first string field (at any depth) that is not well-formed UTF-8. Returns
// false when the bytes are not a well-formed message (the defect, if found
// before, is still reported).
bool FindInvalidUtf8(absl::string_view wire, const Descriptor* type,
                     const std::string& prefix, int depth,
                     std::optional<Utf8Defect>* defect) {
  if (depth > kMaxDepth) return false;
  CodedInputStream in(reinterpret_cast<const uint8_t*>(wire.data()),
                      static_cast<int>(wire.size()));
  while (in.CurrentPosition() < static_cast<int>(wire.size())) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0) return false;
    if (WireFormatLite::GetTagWireType(tag) !=
        WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) return false;
      continue;
    }
    uint32_t length;
    if (!in.ReadVarint32(&length)) return false;
    const size_t start = static_cast<size_t>(in.CurrentPosition());
    if (length > wire.size() - start) return false;
    const absl::string_view value = wire.substr(start, length);
    if (!in.Skip(static_cast<int>(length))) return false;
    const FieldDescriptor* field =
        type->FindFieldByNumber(WireFormatLite::GetTagFieldNumber(tag));
    if (field == nullptr) continue;  // unknown: kept as bytes by protobuf
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      const size_t bad = common::FirstInvalidUtf8(value);
      if (bad != absl::string_view::npos) {
        *defect = Utf8Defect{prefix + field->name(), bad};
        return true;
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      const bool ok = FindInvalidUtf8(value, field->message_type(),
                                      absl::StrCat(prefix, field->name(), "."),
                                      depth + 1, defect);
      if (defect->has_value()) return true;
      if (!ok) return false;
    }
  }
  return true;
}

constexpr absl::string_view kUndecodableEvent =
    "the event cannot be decoded as a depositd.v1.Event (malformed protobuf "
    "inside it); nothing of it was taken: resend it as serialized by a "
    "protobuf library";

// Decodes one event of a batch that failed the whole-batch parse into
// `out`; the reason it was not decoded otherwise.
std::optional<std::string> DecodeEvent(absl::string_view bytes,
                                       ::depositd::v1::Event* out) {
  std::optional<Utf8Defect> defect;
  const bool well_formed = FindInvalidUtf8(
      bytes, ::depositd::v1::Event::descriptor(), "", 0, &defect);
  if (defect.has_value()) {
    return absl::StrCat(
        "field ", defect->field, " is not valid UTF-8 (byte ", defect->offset,
        " of its value); nothing of this event was taken: send text as "
        "UTF-8 (a string cut inside a multi-byte character, such as an "
        "emoji, is a common cause)");
  }
  if (!well_formed ||
      !out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return std::string(kUndecodableEvent);
  }
  return std::nullopt;
}

absl::Status Salvage(WireSource wire, ::depositd::v1::EventBatch* batch,
                     std::vector<EventRejection>* rejected,
                     const DecodeOptions& options) {
  batch->Clear();
  edge::v1::EventBatchWire raw;
  if (!raw.ParseFromZeroCopyStream(wire().get())) {
    return absl::InvalidArgumentError(
        "the batch cannot be decoded as a depositd.v1.EventBatch (binary "
        "protobuf): it is truncated or not protobuf at all, and nothing in "
        "it was taken; send each batch as one EventBatch serialized by a "
        "protobuf library");
  }
  batch->set_batch_seq(raw.batch_seq());
  const int count = raw.events_size();
  if (count > options.max_events) {
    const std::string reason =
        absl::StrCat("batch has ", count, " events; the limit is ",
                     options.max_events, " per batch: split it and resend");
    rejected->reserve(count);
    for (int i = 0; i < count; ++i) rejected->push_back({i, reason});
    return absl::OkStatus();
  }
  batch->mutable_events()->Reserve(count);
  for (int i = 0; i < count; ++i) {
    ::depositd::v1::Event* event = batch->add_events();
    std::optional<std::string> reason = DecodeEvent(raw.events(i), event);
    if (reason.has_value()) {
      batch->mutable_events()->RemoveLast();
      rejected->push_back({i, *std::move(reason)});
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeEventBatch(WireSource wire,
                              ::depositd::v1::EventBatch* batch,
                              std::vector<EventRejection>* rejected,
                              const DecodeOptions& options) {
  rejected->clear();
  batch->Clear();
  if (batch->ParseFromZeroCopyStream(wire().get())) return absl::OkStatus();
  return Salvage(wire, batch, rejected, options);
}

absl::Status DecodeEventBatch(absl::string_view wire,
                              ::depositd::v1::EventBatch* batch,
                              std::vector<EventRejection>* rejected,
                              const DecodeOptions& options) {
  return DecodeEventBatch(
      [wire]() -> std::unique_ptr<google::protobuf::io::ZeroCopyInputStream> {
        return std::make_unique<google::protobuf::io::ArrayInputStream>(
            wire.data(), static_cast<int>(wire.size()));
      },
      batch, rejected, options);
}

}  // namespace depositd::edge
