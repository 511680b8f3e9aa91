#include "fuzz/fuzz_checks.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/timestamps.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/stubs/logging.h"
#include "notifier/finding_text.h"
#include "watchers/limits.h"

namespace depositd::fuzz {

void Require(bool ok, const char* what, const std::string& detail) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

const watchers::ProfileRegistry& BuiltinRegistry() {
  static const watchers::ProfileRegistry* registry = [] {
    absl::StatusOr<std::unique_ptr<watchers::ProfileRegistry>> r =
        watchers::ProfileRegistry::Create(v1::DaemonConfig());
    Require(r.ok(), "built-in profiles load", r.status().ToString());
    return r->release();
  }();
  return *registry;
}

const watchers::RiskWatchers& Watchers() {
  static const watchers::RiskWatchers* w = new watchers::RiskWatchers();
  return *w;
}

const watchers::ResolvedProfile& ProfileFor(
    const watchers::ProfileRegistry& registry,
    const watchers::ShopState& shop) {
  absl::StatusOr<const watchers::ResolvedProfile*> p =
      registry.Resolve(shop.tenant(), shop.shop_id(), shop.profile_name());
  if (!p.ok()) p = registry.Resolve(shop.tenant(), shop.shop_id(), "");
  Require(p.ok(), "the generic profile resolves", p.status().ToString());
  return **p;
}

std::string DeterministicBytes(const google::protobuf::Message& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  return out;
}

absl::Status ApplyChecked(watchers::ShopState& shop, const v1::Event& event,
                          const watchers::ResolvedProfile& profile) {
  const std::string before = shop.Serialize();
  absl::Status s = shop.Apply(event, profile);
  if (!s.ok()) {
    Require(s.code() == absl::StatusCode::kInvalidArgument ||
                s.code() == absl::StatusCode::kFailedPrecondition,
            "Apply fails only with INVALID_ARGUMENT or FAILED_PRECONDITION",
            s.ToString());
    Require(!s.message().empty(), "a rejection says why");
    Require(shop.Serialize() == before, "a rejected event changed the shop",
            s.ToString() + "\nevent: " + event.ShortDebugString());
  }
  return s;
}

void CheckShop(const watchers::ShopState& shop,
               const watchers::ResolvedProfile& profile, absl::Time now,
               notifier::AlertBook* book, bool twice) {
  const v1::ExplainResponse x = shop.Explain(now, profile);
  const v1::ReadinessReport& r = x.report();
  Require(r.tenant() == shop.tenant() && r.shop_id() == shop.shop_id(),
          "report names its shop");
  Require(v1::Verdict_IsValid(r.verdict()) &&
              r.verdict() != v1::VERDICT_UNSPECIFIED,
          "report has a verdict", r.ShortDebugString());
  bool all_clear_by_time = true;
  for (const v1::Blocker& b : r.blockers()) {
    Require(b.condition() != v1::CONDITION_UNSPECIFIED, "blocker condition");
    Require(!b.summary().empty(), "blocker has a summary");
    Require(b.ids_size() <= 20, "blocker evidence ids are bounded");
    Require(b.count() >= 0, "blocker count is not negative",
            b.ShortDebugString());
    if (!b.has_clears_at()) all_clear_by_time = false;
  }
  switch (r.verdict()) {
    case v1::READY:
      Require(r.blockers_size() == 0, "READY has no blockers",
              r.ShortDebugString());
      break;
    case v1::READY_AT:
      Require(r.blockers_size() > 0 && all_clear_by_time,
              "READY_AT only when every blocker clears by time",
              r.ShortDebugString());
      Require(r.has_ready_at(), "READY_AT has ready_at");
      break;
    case v1::NOT_READY:
      Require(!all_clear_by_time && r.blockers_size() > 0,
              "NOT_READY has a blocker that does not clear by time",
              r.ShortDebugString());
      break;
    default:
      break;
  }
  for (const v1::Money& m : r.refundable()) {
    Require(m.minor_units() >= 0, "refundable is never negative",
            r.ShortDebugString());
  }
  if (twice) {
    Require(DeterministicBytes(shop.Evaluate(now, profile)) ==
                DeterministicBytes(r),
            "Explain carries Evaluate's report, and Evaluate is deterministic");
  }
  Require(x.explanations_size() == r.blockers_size(),
          "one explanation per blocker");

  watchers::WatchResult w = Watchers().CheckAll(shop, profile, now);
  // As the daemon does: the watchers write no text, notifier/ words it.
  notifier::WordFindings(notifier::WordingFor(profile, now), &w.findings);
  for (const v1::Finding& f : w.findings) {
    Require(f.key().tenant() == shop.tenant() &&
                f.key().shop_id() == shop.shop_id(),
            "finding names its shop", f.ShortDebugString());
    Require(v1::AlertKind_IsValid(f.key().kind()) &&
                f.key().kind() != v1::ALERT_KIND_UNSPECIFIED,
            "finding has a kind", f.ShortDebugString());
    Require(!f.summary().empty(), "finding has a summary");
  }
  // The alert book runs on the shard's processing clock, never on a
  // client's as_of: only feed it times that clock can show. (Beyond 2262 a
  // Timestamp saturates, so "last paged at" reads back earlier than now and
  // the book repeats at every update.)
  const bool processing_time =
      now >= absl::FromUnixSeconds(watchers::kEarliestEventUnixSeconds) &&
      now < absl::FromUnixSeconds(watchers::kLatestEventUnixSeconds);
  if (!processing_time) book = nullptr;
  if (book != nullptr && !twice) {
    book->Update(std::move(w.findings), now);
  } else if (book != nullptr) {
    watchers::WatchResult again = Watchers().CheckAll(shop, profile, now);
    notifier::WordFindings(notifier::WordingFor(profile, now), &again.findings);
    Require(w.findings.size() == again.findings.size(),
            "risk watchers are deterministic");
    book->Update(std::move(w.findings), now);
    const std::vector<v1::Alert> repeat =
        book->Update(std::move(again.findings), now);
    Require(repeat.empty(), "the same findings never page twice",
            repeat.empty() ? "" : repeat.front().ShortDebugString());
  }
}

void CheckSnapshotRoundTrip(const watchers::ShopState& shop) {
  const std::string bytes = shop.Serialize();
  absl::StatusOr<watchers::ShopState> parsed =
      watchers::ShopState::Parse(bytes);
  Require(parsed.ok(), "a snapshot parses", parsed.status().ToString());
  Require(parsed->Serialize() == bytes, "a snapshot round-trips");
}

}  // namespace depositd::fuzz

namespace {
// Protobuf logs every string that is not UTF-8 at parse time; with fuzzed
// input that is most of them. The fuzz targets check statuses instead.
void DiscardProtobufLog(google::protobuf::LogLevel, const char*, int,
                        const std::string&) {}
}  // namespace

// libFuzzer calls this once before the first input (every target links this
// file).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(&DiscardProtobufLog);
  return 0;
}
