#include "daemon/tenant_scope.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/engine.h"
#include "google/protobuf/arena.h"

namespace depositd::daemon {

absl::Status ScopeToTenant(const Principal& p, std::string* tenant,
                           absl::string_view rpc) {
  if (tenant->empty() && !p.all_tenants()) *tenant = p.tenant;
  return RequireTenant(p, *tenant, rpc);
}

std::function<void(v1::IngestAck)> RestoreRejections(
    std::vector<std::string> reasons, int rejected,
    std::function<void(v1::IngestAck)> done) {
  return [reasons = std::move(reasons), rejected,
          done = std::move(done)](v1::IngestAck ack) {
    v1::IngestAck out;
    out.set_batch_seq(ack.batch_seq());
    out.mutable_results()->Reserve(static_cast<int>(reasons.size()));
    int next = 0;
    for (const std::string& reason : reasons) {
      v1::EventResult* r = out.add_results();
      if (reason.empty()) {
        r->Swap(ack.mutable_results(next++));
      } else {
        r->set_outcome(v1::REJECTED);
        r->set_reason(reason);
      }
    }
    out.set_applied(ack.applied());
    out.set_duplicates(ack.duplicates());
    out.set_rejected(ack.rejected() + static_cast<uint32_t>(rejected));
    done(std::move(out));
  };
}

std::function<void(v1::IngestAck)> RejectOtherTenants(
    const Principal& p, v1::EventBatch* batch,
    std::function<void(v1::IngestAck)> done) {
  if (p.all_tenants() || batch->events_size() > kMaxEventsPerBatch) {
    return done;
  }
  auto foreign = [&p](const v1::Event& e) {
    return !e.tenant().empty() && e.tenant() != p.tenant;
  };
  if (std::none_of(batch->events().begin(), batch->events().end(), foreign)) {
    return done;
  }
  const int total = batch->events_size();
  // reasons[i]: empty for an event handed to the engine.
  std::vector<std::string> reasons(total);
  // On the batch's arena (if any), so the swaps below move, not copy.
  google::protobuf::Arena* arena = batch->GetArena();
  v1::EventBatch heap_own;
  v1::EventBatch& own =
      arena != nullptr
          ? *google::protobuf::Arena::CreateMessage<v1::EventBatch>(arena)
          : heap_own;
  own.set_batch_seq(batch->batch_seq());
  int rejected = 0;
  for (int i = 0; i < total; ++i) {
    v1::Event* e = batch->mutable_events(i);
    if (foreign(*e)) {
      reasons[i] = absl::StrCat(
          "PERMISSION_DENIED: event tenant \"", e->tenant(),
          "\" is not this token's tenant \"", p.tenant, "\" (token \"", p.name,
          "\"): send each tenant's events with that tenant's token");
      ++rejected;
    } else {
      own.add_events()->Swap(e);
    }
  }
  batch->Swap(&own);
  return RestoreRejections(std::move(reasons), rejected, std::move(done));
}

}  // namespace depositd::daemon
