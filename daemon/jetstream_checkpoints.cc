#include "daemon/jetstream_checkpoints.h"

#include <algorithm>
#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "daemon/jetstream_log.h"
#include "daemon/partition_plan.h"
#include "daemon/stable_hash.h"

namespace depositd::daemon {
namespace {

constexpr size_t kHeaderRoom = 64 * 1024;

bool IsValidSectionName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

std::string Hex64(uint64_t v) {
  return absl::StrCat(absl::Hex(v, absl::kZeroPad16));
}

std::string InspectAdvice(int partition) {
  return absl::StrCat("look at it with `nats kv get ", kCheckpointBucket, " ",
                      JetStreamCheckpoints::ManifestKey(partition),
                      "`; if it is not depositd's, remove it with `nats kv "
                      "del ",
                      kCheckpointBucket, " ",
                      JetStreamCheckpoints::ManifestKey(partition),
                      "` and the partition's owner replays its whole log");
}

}  // namespace

std::string JetStreamCheckpoints::ManifestKey(int partition) {
  return absl::StrCat("p", partition);
}

std::string JetStreamCheckpoints::ChunkKey(int partition,
                                           absl::string_view write_id,
                                           int index) {
  return absl::StrCat("p", partition, ".", write_id, ".", index);
}

absl::StatusOr<std::unique_ptr<JetStreamCheckpoints>>
JetStreamCheckpoints::Open(NatsClient* client,
                           const JetStreamCheckpointsOptions& options) {
  KvSpec spec;
  spec.bucket = kCheckpointBucket;
  spec.replicas = options.replicas;
  if (absl::Status s = client->EnsureKv(spec); !s.ok()) return s;
  size_t chunk = options.chunk_bytes;
  const int64_t max_payload =
      natsConnection_GetMaxPayload(client->connection());
  const size_t limit = max_payload > static_cast<int64_t>(2 * kHeaderRoom)
                           ? static_cast<size_t>(max_payload) - kHeaderRoom
                           : kHeaderRoom;
  if (chunk == 0 || chunk > limit) chunk = limit;
  return std::unique_ptr<JetStreamCheckpoints>(
      new JetStreamCheckpoints(client, chunk));
}

absl::Status JetStreamCheckpoints::PurgeChunks(int partition, uint64_t up_to,
                                               absl::string_view keep) {
  absl::StatusOr<std::vector<std::string>> keys = kv_.Keys();
  if (!keys.ok()) return keys.status();
  const std::string prefix = absl::StrCat("p", partition, ".w");
  absl::flat_hash_set<std::string> writes;
  for (absl::string_view key : *keys) {
    if (!absl::ConsumePrefix(&key, prefix)) continue;
    const size_t dash = key.find('-');
    const size_t dot = key.find('.');
    uint64_t revision = 0;
    if (dash == absl::string_view::npos || dot == absl::string_view::npos ||
        dash > dot || !absl::SimpleAtoi(key.substr(0, dash), &revision) ||
        revision > up_to) {
      continue;
    }
    const std::string write = absl::StrCat("w", key.substr(0, dot));
    if (write != keep) writes.insert(write);
  }
  absl::Status first = absl::OkStatus();
  const std::string stream = absl::StrCat("KV_", kCheckpointBucket);
  for (const std::string& write : writes) {
    const std::string filter = absl::StrCat("$KV.", kCheckpointBucket, ".p",
                                            partition, ".", write, ".>");
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = client_->request_timeout_ms();
    options.Stream.Purge.Subject = filter.c_str();
    jsErrCode error = static_cast<jsErrCode>(0);
    natsStatus s =
        js_PurgeStream(client_->jetstream(), stream.c_str(), &options, &error);
    if (s != NATS_OK && first.ok()) {
      first = NatsStatus(s, error,
                         absl::StrCat("purge checkpoint chunks ", filter));
    }
  }
  return first;
}

absl::StatusOr<CheckpointManifest> JetStreamCheckpoints::Manifest(
    int partition) const {
  return ReadManifest(client_, partition);
}

absl::StatusOr<CheckpointManifest> JetStreamCheckpoints::ReadManifest(
    NatsClient* client, int partition) {
  const std::string key = ManifestKey(partition);
  absl::StatusOr<KvEntry> entry = NatsKv(client, kCheckpointBucket).Get(key);
  if (!entry.ok()) {
    if (absl::IsNotFound(entry.status())) {
      return absl::NotFoundError(
          absl::StrCat("partition ", partition, " has no checkpoint"));
    }
    return entry.status();
  }
  if (entry->deleted) {
    return absl::NotFoundError(
        absl::StrCat("partition ", partition, " has no checkpoint"));
  }
  auto refuse = [&](absl::string_view why) {
    return absl::DataLossError(absl::StrCat(
        "the checkpoint manifest ", kCheckpointBucket, "/", key, " (revision ",
        entry->revision, ") is not a valid depositd checkpoint of partition ",
        partition, ": ", why, "; ", InspectAdvice(partition)));
  };
  std::vector<absl::string_view> lines =
      absl::StrSplit(entry->value, '\n', absl::SkipEmpty());
  if (lines.empty() || lines[0] != kCheckpointFormat) {
    return refuse(
        absl::StrCat("its first line is not \"", kCheckpointFormat, "\""));
  }
  CheckpointManifest manifest;
  manifest.revision = entry->revision;
  absl::flat_hash_set<std::string> seen;
  bool has_partition = false, has_cut = false, has_write = false,
       has_chunks = false, has_bytes = false, has_sum = false;
  uint64_t section_total = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<absl::string_view> f = absl::StrSplit(lines[i], ' ');
    uint64_t n = 0;
    if (f.size() == 2 && f[0] == "partition" && absl::SimpleAtoi(f[1], &n) &&
        n < static_cast<uint64_t>(kMaxPartitions)) {
      manifest.partition = static_cast<int>(n);
      has_partition = true;
    } else if (f.size() == 2 && f[0] == "cut" && absl::SimpleAtoi(f[1], &n)) {
      manifest.cut = n;
      has_cut = true;
    } else if (f.size() == 2 && f[0] == "write" && f[1].size() > 1 &&
               f[1][0] == 'w' && IsValidKvKey(f[1]) &&
               f[1].find('.') == absl::string_view::npos) {
      manifest.write_id = std::string(f[1]);
      has_write = true;
    } else if (f.size() == 3 && f[0] == "chunks" &&
               absl::SimpleAtoi(f[1], &n) && n <= 1000000 &&
               absl::SimpleAtoi(f[2], &manifest.chunk_bytes)) {
      manifest.chunks = static_cast<int>(n);
      has_chunks = true;
    } else if (f.size() == 2 && f[0] == "body_bytes" &&
               absl::SimpleAtoi(f[1], &n)) {
      manifest.body_bytes = n;
      has_bytes = true;
    } else if (f.size() == 2 && f[0] == "fnv64" &&
               absl::SimpleHexAtoi(f[1], &manifest.fnv64)) {
      has_sum = true;
    } else if (f.size() == 3 && f[0] == "section" && IsValidSectionName(f[1]) &&
               absl::SimpleAtoi(f[2], &n) &&
               seen.insert(std::string(f[1])).second) {
      manifest.sections.emplace_back(std::string(f[1]), n);
      section_total += n;
    } else {
      return refuse(absl::StrCat("line ", i + 1, " (\"", lines[i].substr(0, 80),
                                 "\") is not understood"));
    }
  }
  if (!(has_partition && has_cut && has_write && has_chunks && has_bytes &&
        has_sum)) {
    return refuse("a field is missing");
  }
  if (manifest.partition != partition) {
    return refuse(absl::StrCat("it names partition ", manifest.partition));
  }
  if (section_total != manifest.body_bytes ||
      (manifest.body_bytes > 0 &&
       (manifest.chunk_bytes == 0 ||
        (manifest.body_bytes + manifest.chunk_bytes - 1) /
                manifest.chunk_bytes !=
            static_cast<uint64_t>(manifest.chunks)))) {
    return refuse("its sizes disagree with each other");
  }
  if (manifest.body_bytes == 0 && manifest.chunks != 0) {
    return refuse("its sizes disagree with each other");
  }
  return manifest;
}

absl::StatusOr<LoadedCheckpoint> JetStreamCheckpoints::Load(
    int partition) const {
  absl::StatusOr<CheckpointManifest> manifest = Manifest(partition);
  if (!manifest.ok()) return manifest.status();
  std::string body;
  body.reserve(manifest->body_bytes);
  for (int i = 0; i < manifest->chunks; ++i) {
    const std::string key = ChunkKey(partition, manifest->write_id, i);
    absl::StatusOr<KvEntry> chunk = kv_.Get(key);
    if (!chunk.ok() && !absl::IsNotFound(chunk.status())) return chunk.status();
    if (!chunk.ok() || chunk->deleted) {
      return absl::DataLossError(absl::StrCat(
          "checkpoint of partition ", partition, " (cut ", manifest->cut,
          ", manifest revision ", manifest->revision, ") lacks its chunk ",
          kCheckpointBucket, "/", key, "; ", InspectAdvice(partition)));
    }
    body += chunk->value;
  }
  if (body.size() != manifest->body_bytes || Fnv1a64(body) != manifest->fnv64) {
    return absl::DataLossError(absl::StrCat(
        "checkpoint of partition ", partition, " (cut ", manifest->cut,
        ", manifest revision ", manifest->revision, "): its chunks hold ",
        body.size(), " bytes with checksum ", Hex64(Fnv1a64(body)),
        ", the manifest says ", manifest->body_bytes, " bytes with ",
        Hex64(manifest->fnv64), " (chunks overwritten by something else); ",
        InspectAdvice(partition)));
  }
  LoadedCheckpoint loaded;
  loaded.revision = manifest->revision;
  loaded.checkpoint.partition = partition;
  loaded.checkpoint.cut = manifest->cut;
  size_t at = 0;
  for (const auto& [name, size] : manifest->sections) {
    loaded.checkpoint.sections.emplace_back(name, body.substr(at, size));
    at += size;
  }
  return loaded;
}

absl::StatusOr<uint64_t> JetStreamCheckpoints::Write(
    const PartitionCheckpoint& checkpoint, uint64_t expect_revision,
    uint64_t log_last) {
  const int p = checkpoint.partition;
  if (p < 0 || p >= kMaxPartitions) {
    return absl::InvalidArgumentError(absl::StrCat("partition ", p));
  }
  absl::flat_hash_set<std::string> names;
  for (const auto& [name, bytes] : checkpoint.sections) {
    if (!IsValidSectionName(name) || !names.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint section name \"", name,
          "\" is empty, repeated or has characters other than letters, "
          "digits, '_' and '-'"));
    }
  }
  if (checkpoint.cut > log_last) {
    return absl::FailedPreconditionError(absl::StrCat(
        "checkpoint of partition ", p, " claims cut ", checkpoint.cut,
        " but the partition log ends at ", log_last));
  }
  uint64_t current_revision = 0;
  absl::StatusOr<CheckpointManifest> current = Manifest(p);
  if (current.ok()) {
    current_revision = current->revision;
    if (current->cut > checkpoint.cut) {
      return absl::FailedPreconditionError(
          absl::StrCat("partition ", p, " already has a checkpoint at cut ",
                       current->cut, ", after this one's ", checkpoint.cut));
    }
  } else if (!absl::IsNotFound(current.status())) {
    return current.status();
  }
  if (current_revision != expect_revision) {
    return absl::FailedPreconditionError(absl::StrCat(
        "partition ", p, "'s checkpoint manifest is at revision ",
        current_revision, ", this writer expected ", expect_revision,
        ": another node wrote it, so this node no longer owns the partition"));
  }

  std::string body;
  for (const auto& section : checkpoint.sections) body += section.second;
  const int chunks =
      static_cast<int>((body.size() + chunk_bytes_ - 1) / chunk_bytes_);
  // This write's own chunk keys: no other writer touches them.
  std::random_device random;
  const uint64_t nonce = (static_cast<uint64_t>(random()) << 32) ^ random();
  const std::string write_id =
      absl::StrCat("w", expect_revision, "-", Hex64(nonce));
  for (int i = 0; i < chunks; ++i) {
    absl::StatusOr<uint64_t> put =
        kv_.Put(ChunkKey(p, write_id, i),
                absl::string_view(body).substr(i * chunk_bytes_, chunk_bytes_));
    if (!put.ok()) return put.status();
  }

  std::string manifest = absl::StrCat(
      kCheckpointFormat, "\npartition ", p, "\ncut ", checkpoint.cut,
      "\nwrite ", write_id, "\nchunks ", chunks, " ", chunk_bytes_,
      "\nbody_bytes ", body.size(), "\nfnv64 ", Hex64(Fnv1a64(body)), "\n");
  for (const auto& [name, bytes] : checkpoint.sections) {
    absl::StrAppend(&manifest, "section ", name, " ", bytes.size(), "\n");
  }
  absl::StatusOr<uint64_t> revision =
      expect_revision == 0
          ? kv_.Create(ManifestKey(p), manifest)
          : kv_.Update(ManifestKey(p), manifest, expect_revision);
  if (!revision.ok()) {
    if (absl::IsFailedPrecondition(revision.status()) ||
        absl::IsAlreadyExists(revision.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "partition ", p, "'s checkpoint manifest moved past revision ",
          expect_revision,
          ": another node wrote it, so this node no longer owns the "
          "partition (",
          revision.status().message(), ")"));
    }
    return revision.status();
  }
  // The new checkpoint is whole; writes that expected expect_revision or
  // less can never land now: their chunks (the previous checkpoint's, a
  // dead or losing writer's) can go. A failure here leaves garbage the
  // next write purges, never a bad load.
  PurgeChunks(p, expect_revision, write_id).IgnoreError();
  return *revision;
}

absl::Status JetStreamCheckpoints::PurgeLogBefore(int partition, uint64_t cut) {
  if (cut == 0) return absl::OkStatus();
  const std::string subject = JetStreamLog::Subject(partition);
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = client_->request_timeout_ms();
  options.Stream.Purge.Subject = subject.c_str();
  options.Stream.Purge.Sequence = cut + 1;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus s =
      js_PurgeStream(client_->jetstream(), kLogStream, &options, &error);
  if (s != NATS_OK) {
    return NatsStatus(s, error,
                      absl::StrCat("purge ", subject, " up to sequence ", cut));
  }
  return absl::OkStatus();
}

}  // namespace depositd::daemon
