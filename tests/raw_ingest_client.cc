#include "tests/raw_ingest_client.h"

#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/support/sync_stream.h"

namespace depositd::integration {
namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

}  // namespace

std::string SpoilMarkers(std::string bytes) {
  return absl::StrReplaceAll(bytes, {{"@@@@", "ab\xf0\x9f"}});
}

grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& method, const std::string& request,
                          std::string* response) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  const grpc::internal::RpcMethod rpc(
      method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC, channel);
  grpc::ByteBuffer out;
  grpc::Status s =
      grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
          channel.get(), rpc, &context, ToBuffer(request), &out);
  if (s.ok()) *response = FromBuffer(out);
  return s;
}

grpc::Status RawPublish(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& request, v1::IngestAck* ack) {
  std::string response;
  grpc::Status s = RawUnaryCall(channel, "/depositd.v1.EventIngest/Publish",
                                request, &response);
  if (s.ok() && !ack->ParseFromString(response)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "ack does not parse");
  }
  return s;
}

RawIngestStream::RawIngestStream(
    const std::shared_ptr<grpc::Channel>& channel) {
  context_.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  const grpc::internal::RpcMethod method(
      "/depositd.v1.EventIngest/Stream",
      grpc::internal::RpcMethod::BIDI_STREAMING, channel);
  stream_.reset(grpc::internal::ClientReaderWriterFactory<
                grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel.get(),
                                                            method, &context_));
}

RawIngestStream::~RawIngestStream() {
  if (stream_ != nullptr) {
    context_.TryCancel();
    stream_->Finish().ok();
  }
}

bool RawIngestStream::Write(const std::string& request) {
  return stream_->Write(ToBuffer(request));
}

absl::StatusOr<v1::IngestAck> RawIngestStream::ReadAck() {
  grpc::ByteBuffer buffer;
  if (!stream_->Read(&buffer)) {
    return absl::NotFoundError("the server ended the stream");
  }
  v1::IngestAck ack;
  if (!ack.ParseFromString(FromBuffer(buffer))) {
    return absl::InternalError("ack does not parse");
  }
  return ack;
}

grpc::Status RawIngestStream::Finish() {
  if (!writes_done_) {
    stream_->WritesDone();
    writes_done_ = true;
  }
  grpc::ByteBuffer ignored;
  while (stream_->Read(&ignored)) {
  }
  grpc::Status s = stream_->Finish();
  stream_.reset();
  return s;
}

}  // namespace depositd::integration
