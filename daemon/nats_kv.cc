#include "daemon/nats_kv.h"

#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace depositd::daemon {

bool IsValidKvKey(absl::string_view key) {
  if (key.empty() || key.size() > 256) return false;
  if (key.front() == '.' || key.back() == '.') return false;
  for (char c : key) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_' && c != '=' && c != '.') {
      return false;
    }
  }
  return true;
}

NatsKv::NatsKv(NatsClient* client, std::string bucket)
    : client_(client), bucket_(std::move(bucket)), stream_("KV_" + bucket_) {}

std::string NatsKv::Subject(absl::string_view key) const {
  return absl::StrCat("$KV.", bucket_, ".", key);
}

absl::StatusOr<KvEntry> NatsKv::Get(absl::string_view key) const {
  if (!IsValidKvKey(key)) {
    return absl::InvalidArgumentError(absl::StrCat("bad KV key \"", key, "\""));
  }
  const std::string subject = Subject(key);
  natsMsg* msg = nullptr;
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = client_->request_timeout_ms();
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(&msg, client_->jetstream(), stream_.c_str(),
                               subject.c_str(), &options, &error);
  if (s != NATS_OK) {
    return NatsStatus(s, error, absl::StrCat("read ", bucket_, "/", key));
  }
  KvEntry entry;
  entry.key = std::string(key);
  entry.revision = natsMsg_GetSequence(msg);
  entry.written = absl::FromUnixNanos(natsMsg_GetTime(msg));
  if (natsMsg_GetDataLength(msg) > 0) {
    entry.value.assign(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  }
  const char* operation = nullptr;
  if (natsMsgHeader_Get(msg, "KV-Operation", &operation) == NATS_OK &&
      operation != nullptr &&
      (std::strcmp(operation, "DEL") == 0 ||
       std::strcmp(operation, "PURGE") == 0)) {
    entry.deleted = true;
  }
  natsMsg_Destroy(msg);
  return entry;
}

absl::StatusOr<uint64_t> NatsKv::Write(absl::string_view key,
                                       absl::string_view value,
                                       bool delete_marker,
                                       uint64_t expect_last) {
  if (!IsValidKvKey(key)) {
    return absl::InvalidArgumentError(absl::StrCat("bad KV key \"", key, "\""));
  }
  const std::string subject = Subject(key);
  natsMsg* msg = nullptr;
  natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, value.data(),
                                static_cast<int>(value.size()));
  if (s == NATS_OK && delete_marker) {
    s = natsMsgHeader_Set(msg, "KV-Operation", "DEL");
  }
  if (s != NATS_OK) {
    natsMsg_Destroy(msg);
    return NatsStatus(s, 0, absl::StrCat("write ", bucket_, "/", key));
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = client_->request_timeout_ms();
  if (expect_last == 0) {
    options.ExpectNoMessage = true;
  } else if (expect_last != kAny) {
    options.ExpectLastSubjectSeq = expect_last;
  }
  jsPubAck* ack = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&ack, client_->jetstream(), msg, &options, &error);
  natsMsg_Destroy(msg);
  if (s != NATS_OK) {
    jsPubAck_Destroy(ack);
    return NatsStatus(s, error, absl::StrCat("write ", bucket_, "/", key));
  }
  const uint64_t revision = ack->Sequence;
  jsPubAck_Destroy(ack);
  return revision;
}

absl::StatusOr<uint64_t> NatsKv::Create(absl::string_view key,
                                        absl::string_view value) {
  uint64_t expect = 0;
  absl::StatusOr<KvEntry> last = Get(key);
  if (last.ok()) {
    if (!last->deleted) {
      return absl::AlreadyExistsError(absl::StrCat(
          bucket_, "/", key, " exists (revision ", last->revision, ")"));
    }
    expect = last->revision;
  } else if (!absl::IsNotFound(last.status())) {
    return last.status();
  }
  absl::StatusOr<uint64_t> written = Write(key, value, false, expect);
  if (absl::IsFailedPrecondition(written.status())) {
    return absl::AlreadyExistsError(
        absl::StrCat(bucket_, "/", key, " was created by another writer"));
  }
  return written;
}

absl::StatusOr<uint64_t> NatsKv::Update(absl::string_view key,
                                        absl::string_view value,
                                        uint64_t revision) {
  if (revision == 0 || revision == kAny) {
    return absl::InvalidArgumentError("Update needs a revision");
  }
  return Write(key, value, false, revision);
}

absl::StatusOr<uint64_t> NatsKv::Put(absl::string_view key,
                                     absl::string_view value) {
  return Write(key, value, false, kAny);
}

absl::Status NatsKv::Delete(absl::string_view key, uint64_t revision) {
  if (revision == 0 || revision == kAny) {
    return absl::InvalidArgumentError("Delete needs a revision");
  }
  return Write(key, "", true, revision).status();
}

absl::StatusOr<std::vector<KvEntry>> NatsKv::List() const {
  absl::StatusOr<std::vector<std::string>> names = Keys();
  if (!names.ok()) return names.status();
  std::vector<KvEntry> entries;
  for (const std::string& name : *names) {
    absl::StatusOr<KvEntry> entry = Get(name);
    if (absl::IsNotFound(entry.status())) continue;  // expired meanwhile
    if (!entry.ok()) return entry.status();
    if (!entry->deleted) entries.push_back(*std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::vector<std::string>> NatsKv::Keys() const {
  kvStore* kv = nullptr;
  natsStatus s = js_KeyValue(&kv, client_->jetstream(), bucket_.c_str());
  if (s != NATS_OK) return NatsStatus(s, 0, "open KV bucket " + bucket_);
  kvWatchOptions options;
  kvWatchOptions_Init(&options);
  options.Timeout = client_->request_timeout_ms();
  kvKeysList keys = {};
  s = kvStore_Keys(&keys, kv, &options);
  kvStore_Destroy(kv);
  std::vector<std::string> names;
  if (s == NATS_OK) {
    for (int i = 0; i < keys.Count; ++i) names.emplace_back(keys.Keys[i]);
    kvKeysList_Destroy(&keys);
  } else if (s != NATS_NOT_FOUND) {  // NOT_FOUND: an empty bucket
    return NatsStatus(s, 0, "list KV bucket " + bucket_);
  }
  return names;
}

}  // namespace depositd::daemon
