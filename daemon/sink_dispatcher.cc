#include "daemon/sink_dispatcher.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/timestamps.h"
#include "daemon/http_client.h"
#include "daemon/log.h"
#include "daemon/store_keys.h"
#include "notifier/sink_response.h"
#include "watchers/evidence_keys.h"

namespace depositd::daemon {
namespace {

constexpr size_t kReadChunk = 256;
constexpr size_t kLoggedBodyBytes = 200;
constexpr absl::Duration kDefaultTimeout = absl::Milliseconds(5000);

std::string Describe(const v1::Alert& a) {
  return absl::StrCat(notifier::AlertKeyString(a.key()), " #", a.sequence(),
                      " (", v1::AlertState_Name(a.state()), ")");
}

std::string ResponseText(const HttpClient::Response& r) {
  if (r.status == 0) return r.error;
  std::string body = r.body.substr(0, kLoggedBodyBytes);
  for (char& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return absl::StrCat("HTTP ", r.status, body.empty() ? "" : ": ", body);
}

}  // namespace

// Wakes workers when alerts are committed or the dispatcher stops. Shared
// with the hub (weakly), so it outlives neither side's use. Thread-safe.
class SinkDispatcher::Waker final : public AlertSubscriber {
 public:
  void OnAlertsCommitted() override {
    absl::MutexLock lock(&mu_);
    ++generation_;
  }
  uint64_t generation() const {
    absl::MutexLock lock(&mu_);
    return generation_;
  }
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  // Until the generation moves past `seen`, Stop, or `deadline`.
  void WaitForPublish(uint64_t seen, absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    auto moved = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || generation_ != seen;
    };
    mu_.AwaitWithDeadline(absl::Condition(&moved), deadline);
  }
  // Sleeps `d` unless stopped first; false when stopping.
  bool SleepFor(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&stopping), d);
    return !stopping_;
  }

 private:
  mutable absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

struct SinkDispatcher::Worker {
  v1::Sink sink;
  bool alertmanager = false;
  bool chat = false;       // a chat robot: digests when a backlog builds
  size_t digest_max = 20;  // transitions per digest at most
  absl::Duration timeout = kDefaultTimeout;
  std::unique_ptr<HttpClient> http;
  std::thread thread;
  // Worker thread only.
  uint64_t cursor = 0;
  absl::BitGen rng;
  absl::Time last_log = absl::InfinitePast();
  int64_t suppressed_logs = 0;
  notifier::SendPace pace;
  // Causes of refusals already logged (each is logged once).
  absl::flat_hash_set<std::string> logged_refusals;
  // The SINK_FAILING alert about this sink while it is firing.
  std::optional<v1::Alert> failing;

  mutable absl::Mutex mu;
  SinkStats stats ABSL_GUARDED_BY(mu);
  // SINK_FAILING transitions about other sinks, to deliver before the log.
  std::deque<v1::Alert> sink_alerts ABSL_GUARDED_BY(mu);
};

SinkDispatcher::SinkDispatcher(const Options& options)
    : options_(options), waker_(std::make_shared<Waker>()) {}

SinkDispatcher::~SinkDispatcher() { Stop(); }

absl::StatusOr<std::unique_ptr<SinkDispatcher>> SinkDispatcher::Create(
    const Options& options) {
  if (options.store == nullptr || options.hub == nullptr ||
      options.router == nullptr) {
    return absl::InvalidArgumentError(
        "SinkDispatcher needs a store, an alert hub and a router");
  }
  std::unique_ptr<SinkDispatcher> d(new SinkDispatcher(options));
  for (const v1::Sink& sink : options.router->sinks()) {
    auto w = std::make_unique<Worker>();
    w->sink = sink;
    w->alertmanager = sink.type() == v1::ALERTMANAGER;
    w->chat = notifier::IsChatSink(sink.type());
    if (sink.has_digest_max()) {
      w->digest_max = static_cast<size_t>(std::max(1, sink.digest_max()));
    }
    w->pace = notifier::SendPace(notifier::DefaultSinkPace(sink));
    if (sink.has_timeout_ms())
      w->timeout = absl::Milliseconds(sink.timeout_ms());
    w->http = std::make_unique<HttpClient>(&d->stop_, 64 << 10);
    const std::string key = SinkCursorKey(sink.name());
    absl::StatusOr<std::string> stored = options.store->Get(Family::kMeta, key);
    if (stored.ok()) {
      w->cursor = DecodeBigEndian64(*stored);
    } else if (absl::IsNotFound(stored.status())) {
      // New sink: start at the end of the log, durably, so that nothing
      // committed from now on can be skipped after a crash.
      w->cursor = options.hub->last_sequence() + 1;
      StoreBatch batch(*options.store);
      batch.Put(Family::kMeta, key, EncodeBigEndian64(w->cursor));
      absl::Status s = options.store->Write(batch, /*sync=*/true);
      if (!s.ok()) {
        return absl::Status(
            s.code(), absl::StrCat("sink ", sink.name(),
                                   ": writing its cursor: ", s.message()));
      }
    } else {
      return absl::Status(
          stored.status().code(),
          absl::StrCat("sink ", sink.name(),
                       ": reading its cursor: ", stored.status().message()));
    }
    if (w->cursor == 0) w->cursor = 1;
    absl::MutexLock lock(&w->mu);
    w->stats.name = sink.name();
    w->stats.type = sink.type();
    w->stats.cursor = w->cursor;
    d->workers_.push_back(std::move(w));
  }
  return d;
}

void SinkDispatcher::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || stopped_) return;
  started_ = true;
  options_.hub->Subscribe(waker_);
  for (auto& w : workers_) {
    Worker* raw = w.get();
    w->thread = std::thread([this, raw] { Run(raw); });
  }
}

void SinkDispatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stop_.store(true);
  waker_->Stop();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

std::vector<SinkDispatcher::SinkStats> SinkDispatcher::Stats() const {
  std::vector<SinkStats> out;
  out.reserve(workers_.size());
  for (const auto& w : workers_) {
    absl::MutexLock lock(&w->mu);
    out.push_back(w->stats);
  }
  return out;
}

void SinkDispatcher::FillStats(v1::StatsResponse* response) const {
  for (const SinkStats& s : Stats()) {
    v1::SinkDeliveryStats* out = response->add_sinks();
    out->set_name(s.name);
    out->set_type(s.type);
    out->set_delivered(s.delivered);
    out->set_refused(s.dropped);
    for (const auto& [reason, n] : s.refused_by_reason) {
      (*out->mutable_refused_by_reason())[reason] = n;
    }
    out->set_retries(s.retries);
    out->set_throttled(s.throttled);
    out->set_digests(s.digests);
    out->set_silenced(s.silenced);
    out->set_resent(s.resent);
    out->set_failing(s.failing);
    out->set_cursor(s.cursor);
    out->set_last_error(s.last_error);
  }
}

bool SinkDispatcher::Silenced(const v1::Alert& alert) const {
  if (options_.silencer == nullptr) return false;
  const absl::Time now =
      options_.clock != nullptr ? options_.clock->Now() : absl::Now();
  return !options_.silencer->SilencedBy(alert, now).empty();
}

std::string SinkDispatcher::Language(const std::string& tenant) const {
  if (!options_.language) return "en";
  std::string language = options_.language(tenant);
  return language.empty() ? "en" : language;
}

void SinkDispatcher::PersistCursor(Worker* w, uint64_t cursor) {
  StoreBatch batch(*options_.store);
  batch.Put(Family::kMeta, SinkCursorKey(w->sink.name()),
            EncodeBigEndian64(cursor));
  // Not synced: losing the last few cursor moves in a power loss only means
  // sending those transitions again (at least once).
  absl::Status s = options_.store->Write(batch, /*sync=*/false);
  if (!s.ok()) {
    LogFailure(w, absl::StrCat("cannot save the cursor (", cursor,
                               "); a restart resends from the last saved "
                               "one: ",
                               s.ToString()));
  }
  absl::MutexLock lock(&w->mu);
  w->stats.cursor = cursor;
}

absl::Duration SinkDispatcher::Backoff(Worker* w, int attempt) {
  absl::Duration ceiling = options_.backoff_base;
  for (int i = 0; i < attempt && ceiling < options_.backoff_cap; ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, options_.backoff_cap);
  // Full jitter: anywhere in [0, ceiling).
  return absl::Nanoseconds(absl::Uniform<int64_t>(
      w->rng, 0, std::max<int64_t>(1, absl::ToInt64Nanoseconds(ceiling))));
}

void SinkDispatcher::LogFailure(Worker* w, const std::string& line) {
  const absl::Time now = absl::Now();
  if (now - w->last_log < options_.log_interval) {
    ++w->suppressed_logs;
    return;
  }
  std::string suppressed;
  if (w->suppressed_logs > 0) {
    suppressed =
        absl::StrCat(" (", w->suppressed_logs, " similar lines suppressed)");
  }
  LogWarning(absl::StrCat("sink ", w->sink.name()),
             absl::StrCat(line, suppressed));
  w->last_log = now;
  w->suppressed_logs = 0;
}

absl::Time SinkDispatcher::Now() const {
  return options_.clock != nullptr ? options_.clock->Now() : absl::Now();
}

void SinkDispatcher::Refused(Worker* w, const std::string& what,
                             const v1::Alert* about,
                             const notifier::SinkVerdict& verdict) {
  const std::string text =
      verdict.detail.empty()
          ? verdict.reason
          : absl::StrCat(verdict.reason, ": ", verdict.detail);
  if (w->logged_refusals.insert(verdict.reason).second) {
    // Once per cause: the first refusal names the alert; the others are
    // counted per reason (Stats, SINK_FAILING).
    LogError(absl::StrCat("sink ", w->sink.name()),
             absl::StrCat(what, " refused (", text,
                          "); not delivered and not retried: the platform "
                          "refuses this message. Later refusals for the "
                          "same cause are counted, not logged."));
    std::fflush(stderr);
  }
  {
    absl::MutexLock lock(&w->mu);
    ++w->stats.dropped;
    ++w->stats.refused_by_reason[verdict.reason];
    w->stats.last_error = text;
    w->stats.last_error_at = absl::Now();
  }
  // A refusal of a SINK_FAILING alert raises nothing more (no echo).
  if (about != nullptr) RaiseSinkFailing(w, *about, verdict);
}

void SinkDispatcher::RaiseSinkFailing(Worker* w, const v1::Alert& about,
                                      const notifier::SinkVerdict& verdict) {
  if (w->failing.has_value()) return;
  const absl::Time now = Now();
  v1::Alert a;
  v1::AlertKey* key = a.mutable_key();
  key->set_tenant(about.key().tenant());
  key->set_kind(v1::SINK_FAILING);
  key->set_subject(w->sink.name());
  a.set_severity(v1::CRITICAL);
  a.set_state(v1::FIRING);
  a.set_change(v1::OPENED);
  auto& ev = *a.mutable_evidence();
  namespace evidence = watchers::evidence;
  ev[evidence::kSink] = w->sink.name();
  ev[evidence::kSinkType] = v1::SinkType_Name(w->sink.type());
  ev[evidence::kReason] = verdict.reason;
  if (!verdict.detail.empty()) ev[evidence::kDetail] = verdict.detail;
  ev[evidence::kRefusedAlert] = notifier::AlertKeyString(about.key());
  common::ToTimestamp(now, a.mutable_at());
  common::ToTimestamp(now, a.mutable_starts_at());
  a.set_summary(absl::StrCat("sink ", w->sink.name(),
                             " refuses alerts: ", verdict.reason));
  w->failing = a;
  {
    absl::MutexLock lock(&w->mu);
    w->stats.failing = true;
  }
  {
    absl::MutexLock lock(&mu_);
    firing_sink_alerts_[w->sink.name()] = a;
  }
  SendToOtherSinks(w, a);
}

void SinkDispatcher::ResolveSinkFailing(Worker* w) {
  if (!w->failing.has_value()) return;
  v1::Alert a = *std::move(w->failing);
  w->failing.reset();
  // A new failure after this recovery is logged again.
  w->logged_refusals.clear();
  {
    absl::MutexLock lock(&w->mu);
    w->stats.failing = false;
  }
  {
    absl::MutexLock lock(&mu_);
    firing_sink_alerts_.erase(w->sink.name());
  }
  const absl::Time now = Now();
  a.set_state(v1::RESOLVED);
  a.set_change(v1::CLEARED);
  common::ToTimestamp(now, a.mutable_at());
  common::ToTimestamp(now, a.mutable_ends_at());
  LogInfo(absl::StrCat("sink ", w->sink.name()),
          "delivers again; SINK_FAILING resolved");
  SendToOtherSinks(w, a);
}

std::vector<SinkDispatcher::Worker*> SinkDispatcher::TargetsOf(
    const v1::Alert& alert) const {
  const std::string& from = alert.key().subject();
  std::vector<Worker*> targets;
  for (const auto& o : workers_) {
    if (o->sink.name() != from &&
        options_.router->Routes(alert, o->sink.name())) {
      targets.push_back(o.get());
    }
  }
  // No route takes SINK_FAILING (routes filtered by kind or tenant): every
  // other sink, so that a failing sink is never silent.
  if (targets.empty()) {
    for (const auto& o : workers_) {
      if (o->sink.name() != from) targets.push_back(o.get());
    }
  }
  return targets;
}

void SinkDispatcher::SendToOtherSinks(Worker* from, const v1::Alert& alert) {
  const std::vector<Worker*> targets = TargetsOf(alert);
  if (targets.empty()) {
    LogError(absl::StrCat("sink ", from->sink.name()),
             "no other sink to report that it refuses alerts; see "
             "Admin.GetStats and this log");
    return;
  }
  for (Worker* t : targets) {
    absl::MutexLock lock(&t->mu);
    t->sink_alerts.push_back(alert);
  }
  waker_->OnAlertsCommitted();  // wake the workers
}

bool SinkDispatcher::DeliverSinkAlerts(Worker* w) {
  std::deque<v1::Alert> pending;
  {
    absl::MutexLock lock(&w->mu);
    pending.swap(w->sink_alerts);
  }
  const absl::Duration ttl = 4 * options_.alertmanager_resend;
  for (const v1::Alert& a : pending) {
    if (stopping()) return false;
    if (Silenced(a)) {
      absl::MutexLock lock(&w->mu);
      ++w->stats.silenced;
      continue;
    }
    const std::string language = Language(a.key().tenant());
    const Outcome outcome = PostWithRetries(
        w, Describe(a),
        [&]() -> absl::StatusOr<notifier::HttpRequest> {
          if (w->alertmanager) {
            return notifier::BuildAlertmanagerRequest(w->sink, {a}, language,
                                                      absl::Now(), ttl);
          }
          return notifier::BuildSinkRequest(w->sink, a, language, absl::Now());
        },
        nullptr, /*about=*/nullptr);
    if (outcome == Outcome::kStopped) return false;
    if (outcome == Outcome::kDelivered) {
      absl::MutexLock lock(&w->mu);
      ++w->stats.delivered;
    }
  }
  return true;
}

SinkDispatcher::Outcome SinkDispatcher::PostWithRetries(
    Worker* w, const std::string& what,
    const std::function<absl::StatusOr<notifier::HttpRequest>()>& build,
    const std::function<bool()>& still_wanted, const v1::Alert* about) {
  for (int attempt = 0;; ++attempt) {
    if (stopping()) return Outcome::kStopped;
    if (attempt > 0 && still_wanted && !still_wanted()) {
      return Outcome::kSilenced;
    }
    absl::StatusOr<notifier::HttpRequest> request = build();
    if (!request.ok()) {
      LogError(absl::StrCat("sink ", w->sink.name()),
               absl::StrCat("cannot build the request for ", what,
                            ", dropped: ", request.status().ToString()));
      absl::MutexLock lock(&w->mu);
      ++w->stats.dropped;
      ++w->stats.refused_by_reason["request not built"];
      w->stats.last_error = request.status().ToString();
      w->stats.last_error_at = absl::Now();
      return Outcome::kDropped;
    }
    // The robot's pace: wait for a slot. The slot is taken when the answer
    // is in (the robot counted the request by then), so the robot never
    // sees more than the limit in any window, whatever the latency.
    const absl::Time now = absl::Now();
    const absl::Time ready = w->pace.ReadyAt(now);
    if (ready > now && !waker_->SleepFor(ready - now)) {
      return Outcome::kStopped;
    }
    const HttpClient::Response r = w->http->Post(request->url, request->headers,
                                                 request->body, w->timeout);
    w->pace.Spend(absl::Now());
    if (r.aborted || stopping()) return Outcome::kStopped;
    const notifier::SinkVerdict verdict =
        notifier::ClassifySinkResponse(w->sink.type(), r.status, r.body);
    if (verdict.kind == notifier::SinkVerdict::kDelivered) {
      {
        absl::MutexLock lock(&w->mu);
        w->stats.last_error.clear();
      }
      ResolveSinkFailing(w);
      return Outcome::kDelivered;
    }
    if (verdict.kind == notifier::SinkVerdict::kRefused) {
      Refused(w, what, about, verdict);
      return Outcome::kDropped;
    }
    const std::string text =
        r.status == 0
            ? ResponseText(r)
            : absl::StrCat(verdict.reason, verdict.detail.empty() ? "" : ": ",
                           verdict.detail);
    absl::Duration wait;
    if (verdict.throttled && r.retry_after.has_value()) {
      wait = std::min(*r.retry_after, options_.max_retry_after);
    } else {
      wait = Backoff(w, attempt);
    }
    {
      absl::MutexLock lock(&w->mu);
      ++w->stats.retries;
      if (verdict.throttled) ++w->stats.throttled;
      w->stats.last_error = text;
      w->stats.last_error_at = absl::Now();
    }
    LogFailure(
        w, absl::StrCat(
               "POST of ", what, " failed (attempt ", attempt + 1, "): ", text,
               verdict.throttled ? " (throttled)" : "", "; retrying in ",
               absl::FormatDuration(absl::Trunc(wait, absl::Milliseconds(1)))));
    if (!waker_->SleepFor(wait)) return Outcome::kStopped;
  }
}

void SinkDispatcher::ProcessChunk(Worker* w,
                                  const std::vector<v1::Alert>& chunk) {
  const std::string& name = w->sink.name();
  // What this sink is not sent: transitions its routes do not match, and
  // UPDATED ones unless it is a webhook. An update is not a page: chat
  // robots (which page people) get the new content with the next page.
  auto passed_over = [&](const v1::Alert& a) {
    return !options_.router->Routes(a, name) ||
           (a.change() == v1::UPDATED && w->sink.type() != v1::WEBHOOK);
  };
  bool dirty = false;
  size_t i = 0;
  while (i < chunk.size()) {
    if (stopping()) break;
    const v1::Alert& alert = chunk[i];
    if (passed_over(alert)) {
      w->cursor = alert.sequence() + 1;
      dirty = true;
      ++i;
      continue;
    }
    if (Silenced(alert)) {
      {
        absl::MutexLock lock(&w->mu);
        ++w->stats.silenced;
      }
      w->cursor = alert.sequence() + 1;
      dirty = true;
      ++i;
      continue;
    }
    const std::string language = Language(alert.key().tenant());
    // A backlog for a chat robot: more waiting than its pace lets through
    // now. Fold the run of this tenant's transitions that follows into one
    // digest (a contiguous range of the log; the cursor moves past it only
    // once it is delivered).
    if (w->chat && w->digest_max > 1 && !w->pace.unpaced()) {
      std::vector<v1::Alert> run;
      size_t end = i;
      int64_t silenced = 0;
      for (; end < chunk.size() && run.size() < w->digest_max; ++end) {
        const v1::Alert& a = chunk[end];
        if (passed_over(a)) continue;
        if (a.key().tenant() != alert.key().tenant()) break;
        if (Silenced(a)) {
          ++silenced;
          continue;
        }
        run.push_back(a);
      }
      if (run.size() > 1 && run.size() > w->pace.Available(absl::Now())) {
        const std::string what =
            absl::StrCat("digest of ", run.size(), " alerts #",
                         run.front().sequence(), "..#", run.back().sequence());
        const Outcome outcome = PostWithRetries(
            w, what,
            [&]() {
              return notifier::BuildDigestRequest(w->sink, run, language,
                                                  absl::Now());
            },
            nullptr, &run.front());
        if (outcome == Outcome::kStopped) break;
        {
          absl::MutexLock lock(&w->mu);
          if (outcome == Outcome::kDelivered) {
            w->stats.delivered += static_cast<int64_t>(run.size());
            ++w->stats.digests;
          }
          w->stats.silenced += silenced;
        }
        w->cursor = chunk[end - 1].sequence() + 1;
        PersistCursor(w, w->cursor);
        dirty = false;
        i = end;
        continue;
      }
    }
    const Outcome outcome = PostWithRetries(
        w, Describe(alert),
        [&]() {
          return notifier::BuildSinkRequest(w->sink, alert, language,
                                            absl::Now());
        },
        [&]() { return !Silenced(alert); }, &alert);
    if (outcome == Outcome::kStopped) break;
    {
      absl::MutexLock lock(&w->mu);
      if (outcome == Outcome::kDelivered) ++w->stats.delivered;
      if (outcome == Outcome::kSilenced) ++w->stats.silenced;
    }
    w->cursor = alert.sequence() + 1;
    PersistCursor(w, w->cursor);
    dirty = false;
    ++i;
  }
  if (dirty) PersistCursor(w, w->cursor);
}

void SinkDispatcher::ProcessAlertmanagerChunk(
    Worker* w, const std::vector<v1::Alert>& chunk) {
  const std::string& name = w->sink.name();
  const absl::Duration ttl = 4 * options_.alertmanager_resend;
  size_t i = 0;
  while (i < chunk.size() && !stopping()) {
    // One batch: consecutive transitions, at most one per key.
    std::vector<v1::Alert> batch;
    absl::flat_hash_set<std::string> keys;
    std::string language;  // of the batch: one per POST
    int64_t silenced = 0;
    size_t j = i;
    for (; j < chunk.size() && batch.size() < options_.alertmanager_batch;
         ++j) {
      const v1::Alert& a = chunk[j];
      if (!options_.router->Routes(a, name)) continue;
      // Alertmanager repeats notifications itself; an acknowledgement
      // changes nothing there.
      if (a.change() == v1::ACKNOWLEDGED || a.change() == v1::REPEATED) {
        continue;
      }
      if (Silenced(a)) {
        ++silenced;
        continue;
      }
      const std::string alert_language = Language(a.key().tenant());
      if (batch.empty()) {
        language = alert_language;
      } else if (alert_language != language) {
        break;
      }
      if (!keys.insert(notifier::AlertKeyString(a.key())).second) break;
      batch.push_back(a);
    }
    if (silenced > 0) {
      absl::MutexLock lock(&w->mu);
      w->stats.silenced += silenced;
    }
    if (!batch.empty()) {
      const std::string what =
          batch.size() == 1 ? Describe(batch[0])
                            : absl::StrCat(batch.size(), " alerts #",
                                           batch.front().sequence(), "..#",
                                           batch.back().sequence());
      const Outcome outcome = PostWithRetries(
          w, what,
          [&]() {
            return notifier::BuildAlertmanagerRequest(w->sink, batch, language,
                                                      absl::Now(), ttl);
          },
          nullptr, &batch.front());
      if (outcome == Outcome::kStopped) return;
      if (outcome == Outcome::kDelivered) {
        absl::MutexLock lock(&w->mu);
        w->stats.delivered += static_cast<int64_t>(batch.size());
      }
    }
    w->cursor = chunk[j - 1].sequence() + 1;
    PersistCursor(w, w->cursor);
    i = j;
  }
}

bool SinkDispatcher::Resend(Worker* w) {
  const std::string& name = w->sink.name();
  const absl::Duration ttl = 4 * options_.alertmanager_resend;
  // By language (tenants choose theirs): one language per POST.
  std::map<std::string, std::vector<v1::Alert>> by_language;
  for (v1::Alert& a : options_.hub->ListFiring(v1::AlertFilter())) {
    // Transitions at or after the cursor are still to be sent in order.
    if (a.sequence() >= w->cursor) continue;
    if (!options_.router->Routes(a, name) || Silenced(a)) continue;
    by_language[Language(a.key().tenant())].push_back(std::move(a));
  }
  // SINK_FAILING alerts firing now about the other sinks (not in the log).
  std::vector<v1::Alert> sink_alerts;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [sink, a] : firing_sink_alerts_) sink_alerts.push_back(a);
  }
  for (v1::Alert& a : sink_alerts) {
    const std::vector<Worker*> targets = TargetsOf(a);
    if (std::find(targets.begin(), targets.end(), w) == targets.end() ||
        Silenced(a)) {
      continue;
    }
    by_language[Language(a.key().tenant())].push_back(std::move(a));
  }
  for (const auto& [language, firing] : by_language) {
    for (size_t i = 0; i < firing.size(); i += options_.alertmanager_batch) {
      const size_t n = std::min(options_.alertmanager_batch, firing.size() - i);
      const std::vector<v1::Alert> batch(firing.begin() + i,
                                         firing.begin() + i + n);
      const Outcome outcome = PostWithRetries(
          w, absl::StrCat("re-post of ", n, " firing alerts"),
          [&]() {
            return notifier::BuildAlertmanagerRequest(w->sink, batch, language,
                                                      absl::Now(), ttl);
          },
          nullptr, &batch.front());
      if (outcome == Outcome::kStopped) return false;
      if (outcome == Outcome::kDelivered) {
        absl::MutexLock lock(&w->mu);
        w->stats.resent += static_cast<int64_t>(n);
      }
    }
  }
  return true;
}

void SinkDispatcher::Run(Worker* w) {
  absl::Time next_resend =
      w->alertmanager ? absl::Now() : absl::InfiniteFuture();
  int read_failures = 0;
  while (!stopping()) {
    if (absl::Now() >= next_resend) {
      if (!Resend(w)) return;
      next_resend = absl::Now() + options_.alertmanager_resend;
    }
    const uint64_t generation = waker_->generation();
    if (!DeliverSinkAlerts(w)) return;
    std::vector<v1::Alert> chunk;
    absl::Status s = options_.hub->Read(w->cursor, kReadChunk, &chunk);
    if (!s.ok()) {
      LogFailure(w, absl::StrCat("cannot read the alert log at ", w->cursor,
                                 ": ", s.ToString()));
      if (!waker_->SleepFor(Backoff(w, read_failures++))) return;
      continue;
    }
    read_failures = 0;
    if (chunk.empty()) {
      waker_->WaitForPublish(generation, next_resend);
      continue;
    }
    if (w->alertmanager) {
      ProcessAlertmanagerChunk(w, chunk);
    } else {
      ProcessChunk(w, chunk);
    }
  }
}

}  // namespace depositd::daemon
