#include "daemon/alert_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/store_keys.h"

namespace depositd::daemon {
namespace {

std::string FiringKey(const v1::AlertKey& k) {
  return absl::StrCat(k.tenant(), std::string(1, '\0'), k.shop_id(),
                      std::string(1, '\0'),
                      absl::Dec(static_cast<int>(k.kind()), absl::kZeroPad4),
                      std::string(1, '\0'), k.subject());
}

}  // namespace

bool AlertMatches(const v1::Alert& alert, const v1::AlertFilter& filter) {
  if (!filter.tenant().empty() && alert.key().tenant() != filter.tenant()) {
    return false;
  }
  if (!filter.shop_id().empty() && alert.key().shop_id() != filter.shop_id()) {
    return false;
  }
  if (filter.kinds_size() > 0 &&
      std::find(filter.kinds().begin(), filter.kinds().end(),
                alert.key().kind()) == filter.kinds().end()) {
    return false;
  }
  if (filter.min_severity() != v1::SEVERITY_UNSPECIFIED &&
      alert.severity() < filter.min_severity()) {
    return false;
  }
  return true;
}

AlertHub::AlertHub(Options options, uint64_t last_sequence,
                   std::vector<v1::Alert> active)
    : options_(options), last_sequence_(last_sequence) {
  for (v1::Alert& a : active) {
    std::string k = FiringKey(a.key());
    firing_[std::move(k)] = std::move(a);
  }
}

void AlertHub::Publish(std::vector<v1::Alert> alerts) {
  std::vector<std::shared_ptr<AlertSubscriber>> to_notify;
  {
    absl::MutexLock lock(&mu_);
    for (v1::Alert& a : alerts) {
      std::string k = FiringKey(a.key());
      if (a.state() == v1::FIRING) {
        firing_[std::move(k)] = a;
      } else {
        firing_.erase(k);
      }
      last_sequence_ = a.sequence();
      ring_.push_back(std::move(a));
      if (ring_.size() > options_.ring_capacity) ring_.pop_front();
    }
    to_notify.reserve(subscribers_.size());
    auto it = subscribers_.begin();
    while (it != subscribers_.end()) {
      if (auto s = it->subscriber.lock()) {
        to_notify.push_back(std::move(s));
        ++it;
      } else {
        it = subscribers_.erase(it);
      }
    }
  }
  for (auto& s : to_notify) s->OnAlertsCommitted();
}

uint64_t AlertHub::last_sequence() const {
  absl::MutexLock lock(&mu_);
  return last_sequence_;
}

std::vector<v1::Alert> AlertHub::ListFiring(
    const v1::AlertFilter& filter) const {
  std::vector<v1::Alert> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [k, a] : firing_) {
    if (AlertMatches(a, filter)) out.push_back(a);
  }
  return out;
}

size_t AlertHub::firing_count() const {
  absl::MutexLock lock(&mu_);
  return firing_.size();
}

absl::Status AlertHub::Read(uint64_t from, size_t max,
                            std::vector<v1::Alert>* out) const {
  out->clear();
  uint64_t last;
  {
    absl::MutexLock lock(&mu_);
    last = last_sequence_;
    if (from > last) return absl::OkStatus();
    if (!ring_.empty() && from >= ring_.front().sequence()) {
      for (size_t i = from - ring_.front().sequence();
           i < ring_.size() && out->size() < max; ++i) {
        out->push_back(ring_[i]);
      }
      return absl::OkStatus();
    }
  }
  // Older than the ring: read the alert log.
  absl::Status parse_error;
  absl::Status s = options_.store->Scan(
      Family::kAlerts, AlertSequenceKey(from),
      [&](absl::string_view key, absl::string_view value) {
        if (DecodeBigEndian64(key) > last) return false;
        v1::Alert a;
        if (!a.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parse_error = absl::DataLossError(
              absl::StrCat("corrupt alert log entry ", DecodeBigEndian64(key)));
          return false;
        }
        out->push_back(std::move(a));
        return out->size() < max;
      });
  if (!s.ok()) return s;
  return parse_error;
}

void AlertHub::Subscribe(std::weak_ptr<AlertSubscriber> s, bool watch_stream) {
  absl::MutexLock lock(&mu_);
  subscribers_.push_back({std::move(s), watch_stream});
}

size_t AlertHub::watch_subscribers() const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const Subscription& s : subscribers_) {
    if (s.watch_stream && !s.subscriber.expired()) ++n;
  }
  return n;
}

}  // namespace depositd::daemon
