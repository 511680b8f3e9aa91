// Protobuf wire-format pieces for the places that write a message by hand
// (a dedupe bucket, a log record around bytes that are already serialized)
// instead of building it first: base-128 varints and the zigzag mapping of
// sint64.
//
// On its way out (issue 14): protobuf's own helpers do this
// (google/protobuf/io/coded_stream.h CodedOutputStream::VarintSize64 /
// WriteVarint64ToArray, CodedInputStream::ReadVarint64,
// google/protobuf/wire_format_lite.h WireFormatLite::ZigZagEncode64), and
// watchers/ uses those (watchers/shop_snapshot.cc, the order pages). Kept
// only until daemon/dedupe.cc and daemon/shard.cc move to them too; then
// delete it with wire_test.cc.
#ifndef DEPOSITD_WATCHERS_WIRE_H_
#define DEPOSITD_WATCHERS_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace depositd::watchers::wire {

// Bytes of `v` as a varint (1 to 10).
inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes `v` as a varint at `p` (VarintSize(v) bytes of room); returns the
// end.
inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline void PutVarint(std::string* out, uint64_t v) {
  char buf[10];
  out->append(buf, static_cast<size_t>(PutVarint(buf, v) - buf));
}

// Reads a varint from the front of *in into *v and drops it from *in;
// false, leaving *in as it was, when it holds no complete varint
// of at most 64 bits.
inline bool ReadVarint(absl::string_view* in, uint64_t* v) {
  uint64_t n = 0;
  for (size_t i = 0; i < in->size() && i < 10; ++i) {
    const uint8_t b = static_cast<uint8_t>((*in)[i]);
    n |= uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      in->remove_prefix(i + 1);
      *v = n;
      return true;
    }
  }
  return false;
}

// sint64 on the wire.
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

}  // namespace depositd::watchers::wire

#endif  // DEPOSITD_WATCHERS_WIRE_H_
