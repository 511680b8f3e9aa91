// A client of EventIngest that sends raw bytes, as a buggy or hostile client
// would: requests that are not valid protobuf, or strings that are not
// UTF-8, reach the daemon as they are (a generated stub would refuse to
// send some and could not send the others).
//
//   RawIngestStream stream(channel);
//   ASSERT_TRUE(stream.Write(bytes));
//   absl::StatusOr<v1::IngestAck> ack = stream.ReadAck();
//   grpc::Status end = stream.Finish();
//
// Not thread-safe; one test thread drives it.
#ifndef DEPOSITD_TESTS_RAW_INGEST_CLIENT_H_
#define DEPOSITD_TESTS_RAW_INGEST_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "depositd/v1/service.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"

namespace depositd::integration {

// `event`'s batch serialized, with every "@@@@" replaced by "ab" and the
// first two bytes of a 4-byte UTF-8 sequence (an emoji cut in half): the
// same length, so the protobuf framing stays valid.
std::string SpoilMarkers(std::string bytes);

// One unary call of `method` ("/depositd.v1.Readiness/GetShop") with
// `request` as its bytes and a 20 s deadline; the response's bytes in
// *response when OK.
grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& method, const std::string& request,
                          std::string* response);

// One Publish call with `request` as its bytes and a 20 s deadline. The ack
// in *ack when OK.
grpc::Status RawPublish(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& request, v1::IngestAck* ack);

// One Stream call (20 s deadline for the whole stream).
class RawIngestStream {
 public:
  explicit RawIngestStream(const std::shared_ptr<grpc::Channel>& channel);
  ~RawIngestStream();

  // Sends one batch's bytes. False when the stream is already broken.
  bool Write(const std::string& request);
  // The next ack; NOT_FOUND when the server ended the stream instead.
  absl::StatusOr<v1::IngestAck> ReadAck();
  // Half-closes (if not yet), drains what is left and returns how the
  // stream ended.
  grpc::Status Finish();

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>>
      stream_;
  bool writes_done_ = false;
};

}  // namespace depositd::integration

#endif  // DEPOSITD_TESTS_RAW_INGEST_CLIENT_H_
