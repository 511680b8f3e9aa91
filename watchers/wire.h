// Protobuf wire-format pieces for the places that write a message by hand
// (a snapshot's order pages, a dedupe bucket, a log record around bytes
// that are already serialized) instead of building it first: base-128
// varints and the zigzag mapping of sint64.
#ifndef DEPOSITD_WATCHERS_WIRE_H_
#define DEPOSITD_WATCHERS_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>

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

// sint64 on the wire.
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

}  // namespace depositd::watchers::wire

#endif  // DEPOSITD_WATCHERS_WIRE_H_
