#include "daemon/jetstream_log.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace depositd::daemon {

absl::StatusOr<std::unique_ptr<JetStreamLog>> JetStreamLog::Open(
    NatsClient* client, const JetStreamLogOptions& options) {
  StreamSpec spec;
  spec.name = kLogStream;
  spec.subjects = {absl::StrCat(kLogSubjectPrefix, ">")};
  spec.replicas = options.replicas;
  spec.duplicate_window = options.duplicate_window;
  if (absl::Status s = client->EnsureStream(spec); !s.ok()) return s;
  return std::unique_ptr<JetStreamLog>(new JetStreamLog(client));
}

std::string JetStreamLog::Subject(int partition) {
  return absl::StrCat(kLogSubjectPrefix, partition);
}

absl::StatusOr<LogAppendResult> JetStreamLog::Append(int partition,
                                                     absl::string_view msg_id,
                                                     absl::string_view record,
                                                     uint64_t expect_last) {
  if (partition < 0) {
    return absl::InvalidArgumentError(absl::StrCat("partition ", partition));
  }
  if (msg_id.empty()) {
    return absl::InvalidArgumentError("a log record needs a message id");
  }
  const std::string subject = Subject(partition);
  const std::string id(msg_id);
  natsMsg* msg = nullptr;
  natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, record.data(),
                                static_cast<int>(record.size()));
  if (s == NATS_OK) s = natsMsgHeader_Set(msg, kRecordHeader, kRecordFormat);
  if (s != NATS_OK) {
    natsMsg_Destroy(msg);
    return NatsStatus(s, 0, absl::StrCat("log record for ", subject));
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = client_->request_timeout_ms();
  options.MsgId = id.c_str();
  options.ExpectStream = kLogStream;
  if (expect_last == 0) {
    options.ExpectNoMessage = true;
  } else {
    options.ExpectLastSubjectSeq = expect_last;
  }
  jsPubAck* ack = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&ack, client_->jetstream(), msg, &options, &error);
  natsMsg_Destroy(msg);
  if (s != NATS_OK) {
    jsPubAck_Destroy(ack);
    absl::Status status = NatsStatus(
        s, error, absl::StrCat("append to ", subject, " (", kLogStream, ")"));
    if (absl::IsFailedPrecondition(status)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "partition ", partition, "'s log moved past sequence ", expect_last,
          ": another node appended, so this node no longer owns it (",
          status.message(), ")"));
    }
    if (absl::IsUnavailable(status)) {
      return absl::UnavailableError(absl::StrCat(
          status.message(),
          " (no NATS server, or the stream has no leader or quorum now); "
          "the record may or may not be stored: retry with the same "
          "message id"));
    }
    return status;
  }
  LogAppendResult result{ack->Sequence, ack->Duplicate};
  jsPubAck_Destroy(ack);
  return result;
}

absl::StatusOr<uint64_t> JetStreamLog::LastSequence(int partition) {
  const std::string subject = Subject(partition);
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = client_->request_timeout_ms();
  natsMsg* msg = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(&msg, client_->jetstream(), kLogStream,
                               subject.c_str(), &options, &error);
  if (s != NATS_OK) {
    absl::Status status =
        NatsStatus(s, error, absl::StrCat("last record of ", subject));
    if (absl::IsNotFound(status) && error == JSNoMessageFoundErr) return 0;
    if (absl::IsNotFound(status) && s == NATS_NOT_FOUND && error == 0) {
      return 0;
    }
    return status;
  }
  const uint64_t sequence = natsMsg_GetSequence(msg);
  natsMsg_Destroy(msg);
  return sequence;
}

absl::StatusOr<uint64_t> JetStreamLog::CountAfter(NatsClient* client,
                                                  int partition,
                                                  uint64_t after) {
  const std::string subject = Subject(partition);
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.FilterSubject = subject.c_str();
  config.AckPolicy = js_AckNone;
  config.DeliverPolicy = js_DeliverByStartSequence;
  config.OptStartSeq = after + 1;
  config.InactiveThreshold = absl::ToInt64Nanoseconds(absl::Seconds(30));
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = client->request_timeout_ms();
  jsConsumerInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus s = js_AddConsumer(&info, client->jetstream(), kLogStream, &config,
                                &options, &error);
  if (s != NATS_OK) {
    return NatsStatus(
        s, error, absl::StrCat("count records of ", subject, " after ", after));
  }
  const uint64_t pending = info->NumPending;
  if (info->Name != nullptr) {
    js_DeleteConsumer(client->jetstream(), kLogStream, info->Name, &options,
                      nullptr);
  }
  jsConsumerInfo_Destroy(info);
  return pending;
}

absl::StatusOr<std::vector<LogRecord>> JetStreamLog::Read(int partition,
                                                          uint64_t from,
                                                          size_t max) {
  std::vector<LogRecord> records;
  absl::StatusOr<uint64_t> last = LastSequence(partition);
  if (!last.ok()) return last.status();
  if (max == 0 || *last == 0 || *last < from) return records;
  if (from == 0) from = 1;

  const std::string subject = Subject(partition);
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = client_->request_timeout_ms();
  jsSubOptions sub_options;
  jsSubOptions_Init(&sub_options);
  sub_options.Stream = kLogStream;
  sub_options.Ordered = true;
  sub_options.Config.DeliverPolicy = js_DeliverByStartSequence;
  sub_options.Config.OptStartSeq = from;
  natsSubscription* sub = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus s = js_SubscribeSync(&sub, client_->jetstream(), subject.c_str(),
                                  &js_options, &sub_options, &error);
  if (s != NATS_OK) {
    return NatsStatus(s, error, absl::StrCat("read ", subject));
  }
  absl::Status result = absl::OkStatus();
  while (records.size() < max) {
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, sub, client_->request_timeout_ms());
    if (s != NATS_OK) {
      result = NatsStatus(s, 0,
                          absl::StrCat("read ", subject, " from sequence ",
                                       from, " up to ", *last));
      break;
    }
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) {
      natsMsg_Destroy(msg);
      result = absl::InternalError(
          absl::StrCat("read ", subject, ": a message without metadata"));
      break;
    }
    const uint64_t sequence = meta->Sequence.Stream;
    const uint64_t pending = meta->NumPending;
    const int64_t timestamp = meta->Timestamp;
    jsMsgMetaData_Destroy(meta);
    const char* format = nullptr;
    if (natsMsgHeader_Get(msg, kRecordHeader, &format) != NATS_OK ||
        format == nullptr || std::strcmp(format, kRecordFormat) != 0) {
      natsMsg_Destroy(msg);
      result = absl::DataLossError(absl::StrCat(
          "the message at sequence ", sequence, " of ", subject, " in stream ",
          kLogStream, " was not written by this version of depositd (header ",
          kRecordHeader, " is ", format == nullptr ? "missing" : format,
          "): something else publishes on ", kLogSubjectPrefix,
          ">. Stop it, then look at the message with `nats stream get ",
          kLogStream, " ", sequence, "` and remove it with `nats stream rmm ",
          kLogStream, " ", sequence, "` if it is not depositd's"));
      break;
    }
    LogRecord record;
    record.sequence = sequence;
    record.stored = absl::FromUnixNanos(timestamp);
    const char* id = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK &&
        id != nullptr) {
      record.msg_id = id;
    }
    if (natsMsg_GetDataLength(msg) > 0) {
      record.data.assign(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    }
    natsMsg_Destroy(msg);
    records.push_back(std::move(record));
    if (pending == 0 || sequence >= *last) break;
  }
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  if (!result.ok()) return result;
  return records;
}

}  // namespace depositd::daemon
