#include "daemon/committer.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/log.h"
#include "daemon/store_keys.h"
#include "depositd/store/v1/checkpoint.pb.h"

namespace depositd::daemon {

Committer::Committer(Options options) : options_(std::move(options)) {
  cuts_ = options_.cuts;
  cuts_.resize(options_.shard_count, 0);
  marked_cuts_ = cuts_;
  alert_seq_ = options_.last_alert_sequence;
  uint64_t m =
      cuts_.empty() ? 0 : *std::min_element(cuts_.begin(), cuts_.end());
  min_cut_ = m;
  truncated_before_ = m + 1;
}

Committer::~Committer() { Stop(); }

void Committer::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Committer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Committer::Push(CommitItem item) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(item));
}

void Committer::Run() {
  std::vector<CommitItem> held;  // items waiting for other parts of a batch
  std::vector<CommitItem> items;
  for (;;) {
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Committer* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) {
            return c->stop_ || !c->queue_.empty();
          },
          this));
      stopping = stop_;
      if (queue_.empty() && stopping && held.empty()) return;
      for (CommitItem& item : queue_) held.push_back(std::move(item));
      queue_.clear();
    }
    TakeClosedPrefixes(held, items, stopping);
    if (!items.empty()) CommitGroup(items);
    items.clear();
  }
}

void Committer::TakeClosedPrefixes(std::vector<CommitItem>& held,
                                   std::vector<CommitItem>& ready, bool all) {
  if (all) {
    for (CommitItem& item : held) ready.push_back(std::move(item));
    held.clear();
    return;
  }
  // present[b]: parts of batch b among the items still taken. A batch is
  // complete when every part not yet committed (parts_left, which only this
  // thread lowers) is present. Dropping an item drops its shard's later
  // items too (shard order) and lowers the presence of its batches, which
  // may drop more: repeat until nothing changes.
  absl::flat_hash_map<PendingBatch*, int> present;
  for (const CommitItem& item : held) {
    for (PendingBatch* b : item.batches) ++present[b];
  }
  std::vector<bool> dropped(held.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    absl::flat_hash_set<uint32_t> blocked;
    for (size_t i = 0; i < held.size(); ++i) {
      CommitItem& item = held[i];
      if (dropped[i]) {
        blocked.insert(item.shard);
        continue;
      }
      bool drop = blocked.contains(item.shard);
      for (PendingBatch* b : item.batches) {
        if (drop) break;
        drop = present[b] < b->parts_left.load(std::memory_order_acquire);
      }
      if (!drop) continue;
      dropped[i] = true;
      blocked.insert(item.shard);
      for (PendingBatch* b : item.batches) --present[b];
      changed = true;
    }
  }
  std::vector<CommitItem> keep;
  for (size_t i = 0; i < held.size(); ++i) {
    (dropped[i] ? keep : ready).push_back(std::move(held[i]));
  }
  held.swap(keep);
}

absl::Status Committer::write_status() const {
  absl::MutexLock lock(&status_mu_);
  return write_status_;
}

void Committer::SetWriteStatus(absl::Status s) {
  absl::MutexLock lock(&status_mu_);
  write_status_ = std::move(s);
}

namespace {

[[noreturn]] void ExitOnWriteError(const absl::Status& s) {
  Log(LogLevel::kFatal, "committer",
      absl::StrCat("cannot write the event log: ", s.ToString(),
                   "; exiting; acknowledged events are safe, unacknowledged "
                   "ones must be resent"));
  std::_Exit(3);
}

// What clients and the log are told while writes fail.
absl::Status Explain(const absl::Status& s) {
  if (absl::IsResourceExhausted(s)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        s.message(),
        ". depositd refuses new events until space is freed there and "
        "retries by itself; reads keep working and nothing acknowledged is "
        "lost. Resend unacknowledged batches later."));
  }
  return absl::UnavailableError(absl::StrCat(
      s.message(),
      ". depositd refuses new events and retries the write by itself; reads "
      "keep working and nothing acknowledged is lost. Resend "
      "unacknowledged batches later."));
}

}  // namespace

void Committer::AppendWithRetry(absl::Span<const RecordPieces> records,
                                StoreBatch& batch) {
  batch.SetSavePoint();
  absl::StatusOr<uint64_t> pos = options_.log->Append(records, batch);
  if (pos.ok()) return;
  const absl::Time failed_at = absl::Now();
  absl::Duration backoff = absl::Milliseconds(100);
  std::optional<absl::Time> give_up;
  int attempts = 0;
  absl::Status last = pos.status();
  std::string last_logged;
  for (;;) {
    if (!absl::IsResourceExhausted(last) && !absl::IsUnavailable(last)) {
      ExitOnWriteError(last);
    }
    const absl::Status told = Explain(last);
    SetWriteStatus(told);
    if (std::string(told.message()) != last_logged) {
      last_logged = std::string(told.message());
      LogError("committer", last_logged);
      if (options_.on_write_error) options_.on_write_error(told);
    }
    bool stopping;
    {
      // Wait `backoff`, or less when Stop() is called.
      absl::MutexLock lock(&mu_);
      auto stop = [](Committer* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) {
        return c->stop_;
      };
      if (!stop_) mu_.AwaitWithTimeout(absl::Condition(+stop, this), backoff);
      stopping = stop_;
    }
    if (stopping) {
      // Stopping: a few more tries for up to 10 s, then give up.
      if (!give_up) {
        give_up = absl::Now() + absl::Seconds(10);
      } else {
        absl::SleepFor(backoff);
      }
      if (absl::Now() > *give_up) ExitOnWriteError(last);
    }
    backoff = std::min(backoff * 2, absl::Seconds(2));
    ++attempts;
    absl::Status recovered = options_.store->RecoverWrites();
    if (!recovered.ok()) {
      last = recovered;
      continue;
    }
    batch.RollbackToSavePoint();
    batch.SetSavePoint();
    pos = options_.log->Append(records, batch);
    if (pos.ok()) break;
    last = pos.status();
  }
  SetWriteStatus(absl::OkStatus());
  LogInfo(
      "committer",
      absl::StrCat("writes to ", options_.store->dir(), " work again after ",
                   absl::FormatDuration(absl::Now() - failed_at), " (",
                   attempts, " retries); accepting events"));
}

void Committer::RecordGroup(CommitterMetrics& m,
                            const std::vector<CommitItem>& items,
                            absl::Span<const RecordPieces> records,
                            uint64_t base, uint64_t min_cut,
                            int64_t write_nanos) {
  int64_t events = 0;
  for (const CommitItem& item : items) events += item.events_logged;
  if (events > 0) m.commit_group_events.Observe(static_cast<double>(events));
  m.commit_fsync_seconds.Observe(static_cast<double>(write_nanos) * 1e-9);
  // Record i of the group is at log position base + i + 1.
  for (size_t i = 0; i < records.size(); ++i) {
    for (absl::string_view piece : records[i]) {
      log_bytes_written_ += piece.size();
    }
    uncovered_records_.emplace_back(base + i + 1, log_bytes_written_);
  }
  while (!uncovered_records_.empty() &&
         uncovered_records_.front().first <= min_cut) {
    log_bytes_covered_ = uncovered_records_.front().second;
    uncovered_records_.pop_front();
  }
  m.log_bytes_not_checkpointed.store(log_bytes_written_ - log_bytes_covered_,
                                     std::memory_order_relaxed);
}

void Committer::CommitGroup(std::vector<CommitItem>& items) {
  StoreBatch batch(*options_.store);
  std::vector<RecordPieces> records;
  RecordPieces current;
  absl::flat_hash_set<uint32_t> in_current;
  const uint64_t base = options_.log->LastPosition();
  std::vector<v1::Alert> committed;
  bool cuts_changed = false;

  for (CommitItem& item : items) {
    if (item.cut_mark) {
      if (in_current.contains(item.shard)) {
        records.push_back(std::move(current));
        current.clear();
        in_current.clear();
      }
      // Every record of this shard so far is at a position <= the cut.
      if (item.shard < marked_cuts_.size()) {
        marked_cuts_[item.shard] = base + records.size();
      }
    }
    for (auto& [key, value] : item.shop_puts) {
      batch.Put(Family::kShops, key, value);
    }
    for (auto& [number, value] : item.dedupe_puts) {
      batch.Put(Family::kDedupe, DedupeBucketKey(number), value);
    }
    for (uint64_t number : item.dedupe_deletes) {
      batch.Delete(Family::kDedupe, DedupeBucketKey(number));
    }
    if (item.cut_commit && item.shard < cuts_.size()) {
      cuts_[item.shard] = marked_cuts_[item.shard];
      cuts_changed = true;
    }
    if (!item.record_head.empty()) {
      current.push_back(item.record_head);
      current.push_back(item.record_body);
      in_current.insert(item.shard);
    }
    for (v1::Alert& a : item.alerts) {
      if (options_.metrics != nullptr) {
        options_.metrics->CountTransition(a.key().kind(), a.change());
      }
      a.set_sequence(alert_seq_.load(std::memory_order_relaxed) + 1);
      alert_seq_.store(a.sequence(), std::memory_order_relaxed);
      batch.Put(Family::kAlerts, AlertSequenceKey(a.sequence()),
                a.SerializeAsString());
      committed.push_back(std::move(a));
    }
  }
  if (!current.empty()) records.push_back(std::move(current));

  uint64_t new_min_cut = min_cut_.load();
  if (cuts_changed) {
    store::v1::CheckpointMeta meta;
    meta.set_shard_count(static_cast<uint32_t>(cuts_.size()));
    for (uint64_t c : cuts_) meta.add_cuts(c);
    batch.Put(Family::kMeta, kCheckpointMetaKey, meta.SerializeAsString());
    new_min_cut = *std::min_element(cuts_.begin(), cuts_.end());
    if (new_min_cut + 1 > truncated_before_) {
      options_.log->TruncateBefore(new_min_cut + 1, batch);
      truncated_before_ = new_min_cut + 1;
    }
  }

  const int64_t write_start = MonotonicNanos();
  AppendWithRetry(records, batch);
  const int64_t written = MonotonicNanos();
  min_cut_ = new_min_cut;
  commits_.fetch_add(1, std::memory_order_relaxed);
  CommitterMetrics* const m = options_.metrics;
  if (m != nullptr)
    RecordGroup(*m, items, records, base, new_min_cut, written - write_start);

  if (!committed.empty() && options_.publish_alerts) {
    options_.publish_alerts(std::move(committed));
  }
  for (CommitItem& item : items) {
    for (PendingBatch* b : item.batches) {
      if (b->parts_left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        if (m != nullptr) {
          m->ack_latency_seconds.Observe(
              static_cast<double>(written - b->arrived_nanos) * 1e-9);
          m->CountBatch();
        }
        b->finish(b);
      }
    }
    for (auto& fn : item.on_durable) fn();
  }
}

}  // namespace depositd::daemon
