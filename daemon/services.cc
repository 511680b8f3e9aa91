#include "daemon/services.h"

#include <cstdio>
#include <utility>

#include "daemon/admin_service.h"
#include "daemon/alerts_service.h"
#include "daemon/ingest_service.h"
#include "daemon/log.h"
#include "daemon/log_throttle.h"
#include "daemon/readiness_service.h"
#include "daemon/rpc_support.h"

namespace depositd::daemon {

Services::Services(Engine* engine, const Authorizer* authorizer)
    : streams_(std::make_unique<StreamRegistry>()),
      undecodable_(std::make_unique<LogThrottle>(
          absl::Seconds(10),
          [](absl::string_view line) { LogWarning("grpc", line); })),
      ingest_(NewIngestService(engine, streams_.get(), authorizer,
                               undecodable_.get())),
      readiness_(NewReadinessService(engine, authorizer)),
      alerts_(NewAlertsService(engine, streams_.get(), authorizer)),
      admin_(
          NewAdminService(engine, authorizer, &sink_stats_, &config_admin_)) {}

Services::~Services() = default;

void Services::SetSinkStats(std::function<void(v1::StatsResponse*)> fill) {
  sink_stats_ = std::move(fill);
}

void Services::SetConfigAdmin(ConfigAdmin admin) {
  config_admin_ = std::move(admin);
}

void Services::Register(grpc::ServerBuilder& builder) {
  builder.RegisterService(ingest_.get());
  builder.RegisterService(readiness_.get());
  builder.RegisterService(alerts_.get());
  builder.RegisterService(admin_.get());
}

void Services::BeginShutdown() { streams_->BeginShutdown(); }

uint64_t Services::undecodable_ingest_count() const {
  return undecodable_->total();
}

bool Services::WaitForStreams(absl::Duration timeout) {
  return streams_->WaitEmpty(timeout);
}

}  // namespace depositd::daemon
