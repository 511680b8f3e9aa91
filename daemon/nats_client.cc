#include "daemon/nats_client.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace depositd::daemon {
namespace {

// libnats' text for the last error of this thread, else the status' name.
std::string LastNatsError(natsStatus s) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  if (text == nullptr || text[0] == '\0') return natsStatus_GetText(s);
  // libnats prefixes its source position, "(conn.c:2088): ": drop it.
  absl::string_view reason(text);
  if (absl::StartsWith(reason, "(")) {
    const size_t end = reason.find("): ");
    if (end != absl::string_view::npos) reason.remove_prefix(end + 3);
  }
  return std::string(reason);
}

std::string ReplicasAdvice(int want) {
  return want == 1 ? "a single NATS server serves replicas 1"
                   : absl::StrCat("a ", want,
                                  "-node NATS cluster serves replicas ", want);
}

// A refused create: UNAVAILABLE stays (retry later); anything else is a
// setting NATS cannot serve, most often more replicas than servers.
absl::Status CreateRefused(const absl::Status& error, int replicas) {
  if (error.ok()) return absl::UnavailableError("JetStream did not answer");
  if (absl::IsUnavailable(error)) return error;
  return absl::FailedPreconditionError(absl::StrCat(
      error.message(), ". Replicas ", replicas,
      replicas > 1 ? absl::StrCat(" need a NATS cluster of at least ", replicas,
                                  " servers with JetStream; a single server "
                                  "takes --cluster-replicas 1")
                   : ""));
}

}  // namespace

absl::Status NatsStatus(natsStatus s, int js_error, absl::string_view what) {
  if (s == NATS_OK) return absl::OkStatus();
  const std::string reason = LastNatsError(s);
  // libnats reports "no responders" with JetStream's "not enabled" code;
  // the code would mislead (JetStream is there, its leader is not).
  if (s == NATS_NO_RESPONDERS) js_error = 0;
  const std::string message =
      js_error != 0 ? absl::StrCat(what, ": ", reason, " (JetStream error ",
                                   js_error, ")")
                    : absl::StrCat(what, ": ", reason);
  switch (js_error) {
    case JSStreamWrongLastSequenceErr:
      return absl::FailedPreconditionError(message);
    case JSNoMessageFoundErr:
    case JSStreamNotFoundErr:
      return absl::NotFoundError(message);
    case JSClusterNoPeersErr:
    case JSClusterNotAvailErr:
    case JSClusterNotLeaderErr:
    case JSStreamOfflineErr:
    case JSInsufficientResourcesErr:
      return absl::UnavailableError(message);
    default:
      break;
  }
  switch (s) {
    case NATS_TIMEOUT:
    case NATS_NO_RESPONDERS:
    case NATS_NO_SERVER:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_STALE_CONNECTION:
    case NATS_IO_ERROR:
    case NATS_SLOW_CONSUMER:
      return absl::UnavailableError(message);
    case NATS_NOT_FOUND:
      return absl::NotFoundError(message);
    case NATS_INVALID_ARG:
    case NATS_INVALID_SUBJECT:
      return absl::InvalidArgumentError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::StatusOr<std::unique_ptr<NatsClient>> NatsClient::Connect(
    const NatsClientOptions& options) {
  const std::string where = absl::StrCat(
      "NATS at ", absl::StrJoin(options.servers, ","), " (", options.flag, ")");
  if (options.servers.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.flag, " names no NATS server"));
  }
  std::unique_ptr<NatsClient> client(new NatsClient());
  client->options_ = options;

  std::vector<const char*> urls;
  for (const std::string& url : options.servers) urls.push_back(url.c_str());
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) {
    s = natsOptions_SetServers(opts, urls.data(),
                               static_cast<int>(urls.size()));
  }
  if (s == NATS_OK) {
    s = natsOptions_SetTimeout(
        opts, absl::ToInt64Milliseconds(options.connect_timeout));
  }
  if (s == NATS_OK) s = natsOptions_SetName(opts, options.name.c_str());
  // Keep the given order: the first server is tried first.
  if (s == NATS_OK) s = natsOptions_SetNoRandomize(opts, true);
  // Once connected, reconnect for ever; requests meanwhile time out.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) {
    s = natsOptions_SetReconnectWait(
        opts, absl::ToInt64Milliseconds(options.reconnect_wait));
  }
  if (s != NATS_OK) {
    absl::Status status =
        NatsStatus(s, 0, absl::StrCat("NATS options for ", options.flag));
    natsOptions_Destroy(opts);
    return absl::InvalidArgumentError(status.message());
  }
  s = natsConnection_Connect(&client->conn_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    const std::string reason = LastNatsError(s);
    client->conn_ = nullptr;
    return absl::UnavailableError(
        absl::StrCat("cannot reach ", where, ": ", reason));
  }

  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = client->request_timeout_ms();
  s = natsConnection_JetStream(&client->js_, client->conn_, &js_options);
  if (s != NATS_OK) {
    return NatsStatus(s, 0, absl::StrCat("JetStream context for ", where));
  }
  return client;
}

NatsClient::~NatsClient() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (conn_ != nullptr) {
    natsConnection_Close(conn_);
    natsConnection_Destroy(conn_);
  }
}

int64_t NatsClient::request_timeout_ms() const {
  return std::max<int64_t>(1,
                           absl::ToInt64Milliseconds(options_.request_timeout));
}

std::string NatsClient::ConnectedUrl() const {
  char buffer[256] = {0};
  if (natsConnection_GetConnectedUrl(conn_, buffer, sizeof(buffer)) !=
      NATS_OK) {
    return "";
  }
  return buffer;
}

absl::Status NatsClient::EnsureStream(const StreamSpec& spec) {
  std::vector<const char*> subjects;
  for (const std::string& subject : spec.subjects) {
    subjects.push_back(subject.c_str());
  }
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = spec.name.c_str();
  config.Subjects = subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  config.Storage = js_FileStorage;
  config.Replicas = spec.replicas;
  config.Duplicates = absl::ToInt64Nanoseconds(spec.duplicate_window);

  absl::Status last_error = absl::OkStatus();
  for (int attempt = 0; attempt < 2; ++attempt) {
    jsStreamInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    natsStatus s =
        js_GetStreamInfo(&info, js_, spec.name.c_str(), nullptr, &error);
    if (s == NATS_OK) {
      const jsStreamConfig* have = info->Config;
      std::set<std::string> have_subjects;
      for (int i = 0; i < have->SubjectsLen; ++i) {
        have_subjects.insert(have->Subjects[i]);
      }
      const std::set<std::string> want_subjects(spec.subjects.begin(),
                                                spec.subjects.end());
      absl::Status verdict = absl::OkStatus();
      if (have->Replicas != spec.replicas) {
        verdict = absl::FailedPreconditionError(
            absl::StrCat("stream ", spec.name, " has ", have->Replicas,
                         " replicas, this node wants ", spec.replicas, " (",
                         ReplicasAdvice(spec.replicas),
                         "); give every node the same cluster settings"));
      } else if (have_subjects != want_subjects) {
        verdict = absl::FailedPreconditionError(
            absl::StrCat("stream ", spec.name, " takes subjects ",
                         absl::StrJoin(have_subjects, ","), ", not ",
                         absl::StrJoin(want_subjects, ","),
                         ": another application uses this stream name"));
      }
      jsStreamInfo_Destroy(info);
      return verdict;
    }
    if (error != JSStreamNotFoundErr && s != NATS_NOT_FOUND) {
      return NatsStatus(s, error, absl::StrCat("stream ", spec.name));
    }
    info = nullptr;
    error = static_cast<jsErrCode>(0);
    s = js_AddStream(&info, js_, &config, nullptr, &error);
    jsStreamInfo_Destroy(info);
    if (s == NATS_OK) return absl::OkStatus();
    // Another node created it first: verify theirs on the next turn.
    last_error =
        NatsStatus(s, error, absl::StrCat("create stream ", spec.name));
    if (error != JSStreamNameExistErr) {
      return CreateRefused(last_error, spec.replicas);
    }
  }
  return CreateRefused(last_error, spec.replicas);
}

absl::Status NatsClient::EnsureKv(const KvSpec& spec) {
  const std::string stream = "KV_" + spec.bucket;
  const int64_t ttl_ns = absl::ToInt64Nanoseconds(spec.ttl);
  absl::Status last_error = absl::OkStatus();
  for (int attempt = 0; attempt < 2; ++attempt) {
    jsStreamInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    natsStatus s =
        js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &error);
    if (s == NATS_OK) {
      absl::Status verdict = absl::OkStatus();
      if (info->Config->Replicas != spec.replicas) {
        verdict = absl::FailedPreconditionError(
            absl::StrCat("KV bucket ", spec.bucket, " has ",
                         info->Config->Replicas, " replicas, this node wants ",
                         spec.replicas, " (", ReplicasAdvice(spec.replicas),
                         "); give every node the same cluster settings"));
      } else if (info->Config->MaxAge != ttl_ns) {
        verdict = absl::FailedPreconditionError(absl::StrCat(
            "KV bucket ", spec.bucket, " keeps entries for ",
            absl::FormatDuration(absl::Nanoseconds(info->Config->MaxAge)),
            ", this node wants ", absl::FormatDuration(spec.ttl),
            "; give every node the same cluster settings"));
      }
      jsStreamInfo_Destroy(info);
      return verdict;
    }
    if (error != JSStreamNotFoundErr && s != NATS_NOT_FOUND) {
      return NatsStatus(s, error, absl::StrCat("KV bucket ", spec.bucket));
    }
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = spec.bucket.c_str();
    config.History = 1;
    config.TTL = ttl_ns;
    config.StorageType = js_FileStorage;
    config.Replicas = spec.replicas;
    kvStore* kv = nullptr;
    s = js_CreateKeyValue(&kv, js_, &config);
    if (s == NATS_OK) {
      kvStore_Destroy(kv);
      return absl::OkStatus();
    }
    // A race with another node ends in "already in use" or "different
    // configuration": verify what is there on the next turn.
    last_error =
        NatsStatus(s, 0, absl::StrCat("create KV bucket ", spec.bucket));
    if (absl::IsUnavailable(last_error)) return last_error;
  }
  return CreateRefused(last_error, spec.replicas);
}

}  // namespace depositd::daemon
