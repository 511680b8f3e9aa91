// A protobuf message as JSON text, the same for the same message on every
// run: protobuf's JSON printer (proto3 JSON mapping) over the message's
// deterministic serialization, so map entries come out sorted by key
// (util::MessageToJsonString serializes without determinism in protobuf
// 3.21: map entries come out in hash order).
//
// The mapping, as the printer applies it (write schemas with it in mind):
//   - a key is the field's json_name: lowerCamelCase of the field name
//     unless the .proto sets [json_name = "..."];
//   - a field without presence is omitted at its default ("", 0, false, the
//     enum's 0 value, an empty list or map); one with presence (proto3
//     `optional`, a message) is printed whenever it is set;
//   - 64-bit integers are JSON strings ("42"), enums their value names,
//     google.protobuf.Timestamp RFC 3339 text;
//   - strings are escaped as protobuf does it: '"', '\\' and control
//     characters, and also '<', '>', U+007F and invisible or reordering
//     characters (U+00AD, U+200B..U+200F, U+2028..U+202E, U+FEFF, ...) as
//     \uXXXX; other UTF-8 as it is. Bytes that are not UTF-8 are dropped
//     (pass text through common::ReplaceInvalidUtf8 first to keep a mark).
//
// Pure; thread-safe.
#ifndef DEPOSITD_COMMON_JSON_H_
#define DEPOSITD_COMMON_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace depositd::common {

// `message` as one line of JSON as described above. INTERNAL with the
// printer's message if protobuf refuses it (not expected for a generated
// message: it would mean the message's type is missing from the generated
// descriptor pool).
absl::StatusOr<std::string> MessageToJson(
    const google::protobuf::Message& message);

}  // namespace depositd::common

#endif  // DEPOSITD_COMMON_JSON_H_
