#include "daemon/config_sinks.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/log.h"

namespace depositd::daemon {

bool SameDelivery(const v1::DaemonConfig& a, const v1::DaemonConfig& b) {
  if (a.routes_size() != b.routes_size() || a.sinks_size() != b.sinks_size()) {
    return false;
  }
  for (int i = 0; i < a.routes_size(); ++i) {
    if (a.routes(i).SerializeAsString() != b.routes(i).SerializeAsString()) {
      return false;
    }
  }
  for (int i = 0; i < a.sinks_size(); ++i) {
    if (a.sinks(i).SerializeAsString() != b.sinks(i).SerializeAsString()) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::unique_ptr<ConfigSinks>> ConfigSinks::Start(
    SinkDispatcher::Options base, const RunningConfig* config) {
  std::unique_ptr<ConfigSinks> out(new ConfigSinks());
  out->base_ = std::move(base);
  absl::StatusOr<std::unique_ptr<SinkDispatcher>> d = out->Make(config);
  if (!d.ok()) return d.status();
  absl::MutexLock lock(&out->mu_);
  out->config_ = config;
  out->current_ = d->get();
  out->all_.push_back(*std::move(d));
  out->current_->Start();
  return out;
}

ConfigSinks::~ConfigSinks() { Stop(); }

absl::StatusOr<std::unique_ptr<SinkDispatcher>> ConfigSinks::Make(
    const RunningConfig* config) const {
  SinkDispatcher::Options o = base_;
  o.router = &config->router;
  return SinkDispatcher::Create(o);
}

absl::Status ConfigSinks::Use(const RunningConfig* config) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return absl::OkStatus();
  if (SameDelivery(config_->config, config->config)) {
    config_ = config;
    return absl::OkStatus();
  }
  // Stop first: the cursors the new dispatcher reads are the ones the old
  // one saved.
  current_->Stop();
  absl::StatusOr<std::unique_ptr<SinkDispatcher>> d = Make(config);
  if (!d.ok()) {
    absl::StatusOr<std::unique_ptr<SinkDispatcher>> again = Make(config_);
    if (again.ok()) {
      current_ = again->get();
      all_.push_back(*std::move(again));
      current_->Start();
    } else {
      LogError("config", absl::StrCat("alert delivery is stopped: ",
                                      again.status().message()));
    }
    return d.status();
  }
  config_ = config;
  current_ = d->get();
  all_.push_back(*std::move(d));
  current_->Start();
  return absl::OkStatus();
}

const SinkDispatcher* ConfigSinks::current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

void ConfigSinks::FillStats(v1::StatsResponse* response) const {
  absl::MutexLock lock(&mu_);
  current_->FillStats(response);
}

void ConfigSinks::Stop() {
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  stopped_ = true;
  current_->Stop();
}

}  // namespace depositd::daemon
