// First compiling version: accepts valid events, reports a minimal report.
#include "watchers/shop_state.h"

#include "absl/strings/str_cat.h"

namespace depositd::watchers {

struct ShopState::Internals {
  std::string tenant;
  std::string shop_id;
  std::string profile_name;
  int64_t events_applied = 0;
};

absl::Status ValidateEvent(const v1::Event& event) {
  if (event.event_id().empty()) {
    return absl::InvalidArgumentError("event_id is required");
  }
  if (event.tenant().empty())
    return absl::InvalidArgumentError("tenant is required");
  if (event.shop_id().empty())
    return absl::InvalidArgumentError("shop_id is required");
  if (!event.has_occurred_at()) {
    return absl::InvalidArgumentError("occurred_at is required");
  }
  if (event.body_case() == v1::Event::BODY_NOT_SET) {
    return absl::InvalidArgumentError("event has no body");
  }
  return absl::OkStatus();
}

ShopState::ShopState(std::string tenant, std::string shop_id)
    : in_(std::make_unique<Internals>()) {
  in_->tenant = std::move(tenant);
  in_->shop_id = std::move(shop_id);
}
ShopState::~ShopState() = default;
ShopState::ShopState(ShopState&&) noexcept = default;
ShopState& ShopState::operator=(ShopState&&) noexcept = default;

const std::string& ShopState::tenant() const { return in_->tenant; }
const std::string& ShopState::shop_id() const { return in_->shop_id; }
const std::string& ShopState::profile_name() const { return in_->profile_name; }

absl::Status ShopState::Apply(const v1::Event& event,
                              const ResolvedProfile& profile) {
  absl::Status s = ValidateEvent(event);
  if (!s.ok()) return s;
  if (event.has_shop_registered()) {
    in_->profile_name = event.shop_registered().profile();
  }
  ++in_->events_applied;
  return absl::OkStatus();
}

v1::ReadinessReport ShopState::Evaluate(absl::Time as_of,
                                        const ResolvedProfile& profile) const {
  v1::ReadinessReport r;
  r.set_tenant(in_->tenant);
  r.set_shop_id(in_->shop_id);
  r.set_profile(profile.settings.name());
  r.mutable_as_of()->set_seconds(absl::ToUnixSeconds(as_of));
  r.set_lifecycle(v1::OPERATING);
  r.set_verdict(v1::NOT_READY);
  r.set_events_applied(in_->events_applied);
  return r;
}

v1::ExplainResponse ShopState::Explain(absl::Time as_of,
                                       const ResolvedProfile& profile) const {
  v1::ExplainResponse out;
  *out.mutable_report() = Evaluate(as_of, profile);
  return out;
}

std::string ShopState::Serialize() const {
  return absl::StrCat(in_->tenant.size(), ":", in_->tenant, in_->shop_id.size(),
                      ":", in_->shop_id);
}

absl::StatusOr<ShopState> ShopState::Parse(absl::string_view bytes) {
  return absl::DataLossError("snapshot format not implemented yet");
}

size_t ShopState::ApproximateBytes() const { return sizeof(Internals); }

const ShopState::Internals& ShopState::internals() const { return *in_; }

}  // namespace depositd::watchers
