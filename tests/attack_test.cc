// The attack suite: for every rpc of depositd, calls with no token, a wrong
// token, a token without the needed role, and a token of another tenant
// aimed at that tenant's shops. Every one is denied (UNAUTHENTICATED or
// PERMISSION_DENIED) and leaves the other tenant's shops, alerts and
// silences exactly as they were; lists and Watch streams show the caller's
// tenant only. Each rpc is also called once with the right token, so a
// denial can never come from a broken call.
//
// Ingest is per event: a tenant token's events of another tenant come back
// REJECTED with a reason starting "PERMISSION_DENIED:" (the rest of the
// batch is applied); the table below counts such a rejection as the
// PERMISSION_DENIED of that call.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/timestamps.h"
#include "daemon/auth.h"
#include "depositd/v1/service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_events.h"
#include "tools/client_channel.h"
#include "tools/grpc_health_v1.grpc.pb.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;
using Channel = std::shared_ptr<grpc::Channel>;

// Tokens (the file holds their SHA-256 only).
const char kAcmeAll[] = "acme-all-3f9b2c71d6";    // acme: ingest,read,alerts
const char kAcmeIngest[] = "acme-ingest-8d21e5";  // acme: ingest
const char kAcmeRead[] = "acme-read-b7c40a19";    // acme: read
const char kGlobexAll[] = "globex-all-51e6f0c2";  // globex: ingest,read,alerts
const char kOpsNoAdmin[] = "ops-noadmin-2a7d9e";  // *: ingest,read,alerts
const char kAdmin[] = "admin-e40c18b65f";         // *: every role
const char kNotAToken[] = "acme-all-3f9b2c71d7";  // one character off

std::string ShopOf(const std::string& tenant) {
  return tenant == "acme" ? "a-1" : "g-1";
}

// Three events that make ACCOUNT_MISMATCH fire for `shop`.
std::vector<v1::Event> WrongAccount(const ShopEvents& shop,
                                    const std::string& p) {
  return {shop.Registered(p + "1", "2026-01-05T00:00:00Z", "douyin", "CN"),
          shop.DepositPaid(p + "2", "2026-01-05T01:00:00Z", "dep-1", 3000000,
                           "CNY", "corporate_account", "corp-A"),
          shop.RefundAccountSet(p + "3", "2026-01-06T00:00:00Z",
                                "corporate_account", "corp-B", "CNY")};
}

grpc::ClientContext* WithDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  return context;
}

// An ack as a call status: a "PERMISSION_DENIED:" rejection becomes
// PERMISSION_DENIED; every event applied is OK.
grpc::Status AckStatus(const grpc::Status& call, const v1::IngestAck& ack,
                       int events) {
  if (!call.ok()) return call;
  for (const v1::EventResult& r : ack.results()) {
    if (absl::StartsWith(r.reason(), "PERMISSION_DENIED:")) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, r.reason());
    }
  }
  if (static_cast<int>(ack.applied()) == events) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::INTERNAL,
                      absl::StrCat("unexpected ack ", ack.ShortDebugString()));
}

// The daemon of the suite (set by AttackTest::SetUpTestSuite).
DaemonHarness* g_daemon = nullptr;

Channel As(const std::string& token) {
  tools::ClientChannelOptions options;
  options.token = token;
  absl::StatusOr<Channel> ch = g_daemon->NewChannel(options);
  EXPECT_TRUE(ch.ok()) << ch.status();
  return *ch;
}
Channel Anonymous() { return As(""); }

// Firing alerts of `tenant`, as the admin sees them.
std::vector<v1::Alert> AlertsOf(const std::string& tenant) {
  auto stub = v1::Alerts::NewStub(As(kAdmin));
  grpc::ClientContext context;
  v1::ListAlertsRequest req;
  req.mutable_filter()->set_tenant(tenant);
  v1::ListAlertsResponse resp;
  grpc::Status s = stub->List(WithDeadline(&context), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {resp.alerts().begin(), resp.alerts().end()};
}

// The key of the ACCOUNT_MISMATCH alert of `tenant`'s shop.
v1::AlertKey MismatchKey(const std::string& tenant) {
  for (const v1::Alert& a : AlertsOf(tenant)) {
    if (a.key().shop_id() == ShopOf(tenant) &&
        a.key().kind() == v1::ACCOUNT_MISMATCH) {
      return a.key();
    }
  }
  ADD_FAILURE() << "no ACCOUNT_MISMATCH alert for " << tenant;
  return v1::AlertKey();
}

absl::Time TestClockNow() {
  auto stub = v1::Admin::NewStub(As(kAdmin));
  grpc::ClientContext context;
  v1::TestClockResponse resp;
  grpc::Status s = stub->GetTestClock(WithDeadline(&context),
                                      v1::GetTestClockRequest(), &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return common::FromTimestamp(resp.now());
}

// What globex has: g-1's report at a fixed time, its firing alerts with
// their acknowledgement and silence, as one comparable string.
std::string GlobexState() {
  absl::StatusOr<v1::ReadinessReport> report =
      GetShop(As(kAdmin), "globex", "g-1", "2026-03-01T00:00:00Z");
  EXPECT_TRUE(report.ok()) << report.status();
  std::string state = report.ok() ? report->ShortDebugString() : "";
  for (const v1::Alert& a : AlertsOf("globex")) {
    absl::StrAppend(&state, "\nalert ", a.key().ShortDebugString(), " seq ",
                    a.sequence(), " state ", a.state(), " acknowledged ",
                    a.acknowledged(), " silenced_by '", a.silenced_by(), "'");
  }
  return state;
}

grpc::StatusCode ListShopsStatus(const Channel& ch) {
  auto stub = v1::Readiness::NewStub(ch);
  grpc::ClientContext context;
  v1::ListShopsResponse resp;
  return stub->ListShops(WithDeadline(&context), v1::ListShopsRequest(), &resp)
      .error_code();
}

// One daemon with two tenants for the whole suite.
class AttackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string dir = ::testing::TempDir();
    if (dir.empty() || dir.back() != '/') dir += '/';
    dir += "depositd-attack-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = new std::string(dir);
    const std::string tokens = dir + "/tokens";
    {
      std::ofstream out(tokens);
      auto line = [&](const char* token, const char* rest) {
        out << "sha256:" << daemon::Sha256Hex(token) << " " << rest << "\n";
      };
      line(kAcmeAll, "tenant=acme roles=ingest,read,alerts name=acme-all");
      line(kAcmeIngest, "tenant=acme roles=ingest name=acme-ingest");
      line(kAcmeRead, "tenant=acme roles=read name=acme-read");
      line(kGlobexAll, "tenant=globex roles=ingest,read,alerts name=globex");
      line(kOpsNoAdmin, "tenant=* roles=ingest,read,alerts name=ops");
      line(kAdmin, "tenant=* roles=ingest,read,alerts,admin name=admin");
    }
    DaemonHarness::Options options;
    options.token_file = tokens;
    options.client.token = kAdmin;
    absl::StatusOr<std::unique_ptr<DaemonHarness>> d =
        DaemonHarness::Start(options);
    ASSERT_TRUE(d.ok()) << d.status();
    daemon_ = d->release();
    g_daemon = daemon_;

    // acme a-1, then globex g-1, then acme a-2 (the sentinel of the Watch
    // test): each fires ACCOUNT_MISMATCH.
    int seq = 0;
    for (const auto& [tenant, shop] :
         std::vector<std::pair<std::string, std::string>>{
             {"acme", "a-1"}, {"globex", "g-1"}, {"acme", "a-2"}}) {
      absl::StatusOr<v1::IngestAck> ack = Publish(
          daemon_->channel(),
          WrongAccount(ShopEvents(tenant, shop), shop + "-seed-"), ++seq);
      ASSERT_TRUE(ack.ok()) << ack.status();
      ASSERT_EQ(ack->applied(), 3u) << ack->ShortDebugString();
    }
  }

  static void TearDownTestSuite() {
    if (daemon_ != nullptr) {
      EXPECT_TRUE(daemon_->Stop().ok());
      delete daemon_;
      daemon_ = nullptr;
      g_daemon = nullptr;
    }
    std::error_code ec;
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_, ec);
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(daemon_, nullptr); }

  static std::string* dir_;
  static DaemonHarness* daemon_;
};

std::string* AttackTest::dir_ = nullptr;
DaemonHarness* AttackTest::daemon_ = nullptr;

// One rpc of the table: `call` sends it through `ch`, aimed at `tenant`'s
// shop (or filtered to `tenant`), and returns its status.
struct Rpc {
  std::string name;
  std::function<grpc::Status(const Channel& ch, const std::string& tenant)>
      call;
  // An acme (or operator) token lacking the role this rpc needs.
  std::string wrong_role_token;
  // A token with the role; aimed at acme it succeeds, at globex (when the
  // rpc is per tenant) it is denied.
  std::string right_token;
  bool per_tenant = true;
};

std::vector<Rpc> AllRpcs() {
  static std::atomic<int> unique{0};
  std::vector<Rpc> rpcs;

  rpcs.push_back(
      {"EventIngest.Publish",
       [](const Channel& ch, const std::string& tenant) {
         const int n = ++unique;
         ShopEvents shop(tenant, ShopOf(tenant));
         auto stub = v1::EventIngest::NewStub(ch);
         grpc::ClientContext context;
         v1::IngestAck ack;
         grpc::Status s = stub->Publish(
             WithDeadline(&context),
             Batch(n, {shop.FeeCharged(absl::StrCat("atk-pub-", n),
                                       "2026-02-01T00:00:00Z",
                                       absl::StrCat("fee-pub-", n),
                                       v1::TECHNICAL_SERVICE, 100, "CNY")}),
             &ack);
         return AckStatus(s, ack, 1);
       },
       kAcmeRead, kAcmeAll});

  rpcs.push_back(
      {"EventIngest.Stream",
       [](const Channel& ch, const std::string& tenant) {
         const int n = ++unique;
         ShopEvents shop(tenant, ShopOf(tenant));
         auto stub = v1::EventIngest::NewStub(ch);
         grpc::ClientContext context;
         auto stream = stub->Stream(WithDeadline(&context));
         stream->Write(
             Batch(n, {shop.FeeCharged(absl::StrCat("atk-str-", n),
                                       "2026-02-01T00:00:00Z",
                                       absl::StrCat("fee-str-", n),
                                       v1::TECHNICAL_SERVICE, 100, "CNY")}));
         stream->WritesDone();
         v1::IngestAck ack;
         const bool got = stream->Read(&ack);
         grpc::Status s = stream->Finish();
         if (s.ok() && !got) {
           return grpc::Status(grpc::StatusCode::INTERNAL, "no ack");
         }
         return AckStatus(s, ack, 1);
       },
       kAcmeRead, kAcmeAll});

  rpcs.push_back({"Readiness.GetShop",
                  [](const Channel& ch, const std::string& tenant) {
                    auto stub = v1::Readiness::NewStub(ch);
                    grpc::ClientContext context;
                    v1::GetShopRequest req;
                    req.set_tenant(tenant);
                    req.set_shop_id(ShopOf(tenant));
                    v1::ReadinessReport resp;
                    return stub->GetShop(WithDeadline(&context), req, &resp);
                  },
                  kAcmeIngest, kAcmeAll});

  rpcs.push_back({"Readiness.Explain",
                  [](const Channel& ch, const std::string& tenant) {
                    auto stub = v1::Readiness::NewStub(ch);
                    grpc::ClientContext context;
                    v1::ExplainRequest req;
                    req.set_tenant(tenant);
                    req.set_shop_id(ShopOf(tenant));
                    v1::ExplainResponse resp;
                    return stub->Explain(WithDeadline(&context), req, &resp);
                  },
                  kAcmeIngest, kAcmeRead});

  rpcs.push_back({"Readiness.ListShops",
                  [](const Channel& ch, const std::string& tenant) {
                    auto stub = v1::Readiness::NewStub(ch);
                    grpc::ClientContext context;
                    v1::ListShopsRequest req;
                    req.set_tenant(tenant);
                    v1::ListShopsResponse resp;
                    return stub->ListShops(WithDeadline(&context), req, &resp);
                  },
                  kAcmeIngest, kAcmeRead});

  rpcs.push_back({"Alerts.Watch",
                  [](const Channel& ch, const std::string& tenant) {
                    auto stub = v1::Alerts::NewStub(ch);
                    grpc::ClientContext context;
                    v1::WatchAlertsRequest req;
                    req.set_from_sequence(1);
                    req.mutable_filter()->set_tenant(tenant);
                    auto reader = stub->Watch(WithDeadline(&context), req);
                    v1::Alert alert;
                    if (reader->Read(&alert)) {
                      // A stream that delivers is the success of this call.
                      context.TryCancel();
                      reader->Finish().IgnoreError();
                      if (alert.key().tenant() != tenant) {
                        return grpc::Status(
                            grpc::StatusCode::INTERNAL,
                            "Watch sent another tenant's alert");
                      }
                      return grpc::Status::OK;
                    }
                    return reader->Finish();
                  },
                  kAcmeIngest, kAcmeRead});

  rpcs.push_back({"Alerts.List",
                  [](const Channel& ch, const std::string& tenant) {
                    auto stub = v1::Alerts::NewStub(ch);
                    grpc::ClientContext context;
                    v1::ListAlertsRequest req;
                    req.mutable_filter()->set_tenant(tenant);
                    v1::ListAlertsResponse resp;
                    return stub->List(WithDeadline(&context), req, &resp);
                  },
                  kAcmeIngest, kAcmeAll});

  rpcs.push_back({"Alerts.Acknowledge",
                  [](const Channel& ch, const std::string& tenant) {
                    auto stub = v1::Alerts::NewStub(ch);
                    grpc::ClientContext context;
                    v1::AcknowledgeRequest req;
                    *req.mutable_key() = MismatchKey(tenant);
                    req.set_by("attack-suite");
                    v1::AcknowledgeResponse resp;
                    return stub->Acknowledge(WithDeadline(&context), req,
                                             &resp);
                  },
                  kAcmeRead, kAcmeAll});

  rpcs.push_back({"Alerts.Silence",
                  [](const Channel& ch, const std::string& tenant) {
                    auto stub = v1::Alerts::NewStub(ch);
                    grpc::ClientContext context;
                    v1::SilenceRequest req;
                    req.set_tenant(tenant);
                    req.set_shop_id(ShopOf(tenant));
                    req.set_kind(v1::ACCOUNT_MISMATCH);
                    req.mutable_ends_at()->set_seconds(
                        absl::ToUnixSeconds(TestClockNow() + absl::Hours(24)));
                    req.set_by("attack-suite");
                    v1::SilenceResponse resp;
                    return stub->Silence(WithDeadline(&context), req, &resp);
                  },
                  kAcmeRead, kAcmeAll});

  // Admin: only tenant=* tokens with the role admin. The "other tenant"
  // case is a tenant token holding every other role.
  rpcs.push_back({"Admin.GetStats",
                  [](const Channel& ch, const std::string&) {
                    auto stub = v1::Admin::NewStub(ch);
                    grpc::ClientContext context;
                    v1::StatsResponse resp;
                    return stub->GetStats(WithDeadline(&context),
                                          v1::GetStatsRequest(), &resp);
                  },
                  kOpsNoAdmin, kAdmin, false});
  rpcs.push_back({"Admin.GetTestClock",
                  [](const Channel& ch, const std::string&) {
                    auto stub = v1::Admin::NewStub(ch);
                    grpc::ClientContext context;
                    v1::TestClockResponse resp;
                    return stub->GetTestClock(WithDeadline(&context),
                                              v1::GetTestClockRequest(), &resp);
                  },
                  kOpsNoAdmin, kAdmin, false});
  rpcs.push_back({"Admin.SetTestClock",
                  [](const Channel& ch, const std::string&) {
                    auto stub = v1::Admin::NewStub(ch);
                    grpc::ClientContext context;
                    v1::SetTestClockRequest req;
                    // Now + 1 s: never backwards, so only authorization can
                    // refuse it.
                    req.mutable_now()->set_seconds(
                        absl::ToUnixSeconds(TestClockNow() + absl::Seconds(1)));
                    v1::TestClockResponse resp;
                    return stub->SetTestClock(WithDeadline(&context), req,
                                              &resp);
                  },
                  kOpsNoAdmin, kAdmin, false});
  rpcs.push_back({"Admin.AdvanceTestClock",
                  [](const Channel& ch, const std::string&) {
                    auto stub = v1::Admin::NewStub(ch);
                    grpc::ClientContext context;
                    v1::AdvanceTestClockRequest req;
                    req.mutable_by()->set_seconds(1);
                    v1::TestClockResponse resp;
                    return stub->AdvanceTestClock(WithDeadline(&context), req,
                                                  &resp);
                  },
                  kOpsNoAdmin, kAdmin, false});
  return rpcs;
}

std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    default:
      return absl::StrCat("code ", static_cast<int>(code));
  }
}

TEST_F(AttackTest, EveryRpcDeniesNoTokenWrongTokenWrongRoleAndOtherTenant) {
  const std::string globex_before = GlobexState();
  ASSERT_THAT(globex_before, HasSubstr("ACCOUNT_MISMATCH"));
  ASSERT_THAT(globex_before, HasSubstr("acknowledged 0 silenced_by ''"));
  const std::vector<Rpc> rpcs = AllRpcs();
  ASSERT_EQ(rpcs.size(), 13u);
  for (const Rpc& rpc : rpcs) {
    SCOPED_TRACE(rpc.name);
    struct Attack {
      std::string what;
      Channel channel;
      std::string tenant;
      grpc::StatusCode want;
    };
    const std::vector<Attack> attacks = {
        {"no token", Anonymous(), "acme", grpc::StatusCode::UNAUTHENTICATED},
        {"wrong token", As(kNotAToken), "acme",
         grpc::StatusCode::UNAUTHENTICATED},
        {"wrong role", As(rpc.wrong_role_token), "acme",
         grpc::StatusCode::PERMISSION_DENIED},
        {"other tenant",
         As(rpc.per_tenant ? rpc.right_token : std::string(kAcmeAll)), "globex",
         grpc::StatusCode::PERMISSION_DENIED},
        {"other tenant, globex's token at acme", As(kGlobexAll), "acme",
         grpc::StatusCode::PERMISSION_DENIED},
        // The control: the right token at its own tenant is let in.
        {"right token", As(rpc.right_token), "acme", grpc::StatusCode::OK},
    };
    for (const Attack& a : attacks) {
      grpc::Status s = rpc.call(a.channel, a.tenant);
      EXPECT_EQ(s.error_code(), a.want)
          << a.what << ": got " << CodeName(s.error_code()) << ": "
          << s.error_message();
      // Messages say what to do, and never echo a token.
      for (const char* token : {kAcmeAll, kAcmeIngest, kAcmeRead, kGlobexAll,
                                kOpsNoAdmin, kAdmin, kNotAToken}) {
        EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr(token)));
      }
      if (a.want == grpc::StatusCode::UNAUTHENTICATED) {
        EXPECT_THAT(s.error_message(), HasSubstr("token"));
      }
    }
  }
  EXPECT_EQ(GlobexState(), globex_before)
      << "a denied call changed the other tenant's state";
}

TEST_F(AttackTest, MixedTenantBatchRejectsOnlyTheOtherTenantsEvents) {
  const std::string globex_before = GlobexState();
  ShopEvents acme("acme", "a-mixed"), globex("globex", "g-1");
  const std::vector<v1::Event> events = {
      acme.Registered("mix-1", "2026-02-01T00:00:00Z", "douyin", "CN"),
      globex.FeeCharged("mix-2", "2026-02-01T00:00:00Z", "fee-mix",
                        v1::TECHNICAL_SERVICE, 999, "CNY"),
      acme.DepositPaid("mix-3", "2026-02-01T01:00:00Z", "dep-m", 100000, "CNY",
                       "corporate_account", "corp-A"),
  };
  // Through Publish and through Stream.
  absl::StatusOr<v1::IngestAck> ack = Publish(As(kAcmeAll), events, 77);
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->results_size(), 3);
  EXPECT_EQ(ack->batch_seq(), 77u);
  EXPECT_EQ(ack->results(0).outcome(), v1::APPLIED);
  EXPECT_EQ(ack->results(1).outcome(), v1::REJECTED);
  EXPECT_EQ(ack->results(1).reason(),
            "PERMISSION_DENIED: event tenant \"globex\" is not this token's "
            "tenant \"acme\" (token \"acme-all\"): send each tenant's events "
            "with that tenant's token");
  EXPECT_EQ(ack->results(2).outcome(), v1::APPLIED);
  EXPECT_EQ(ack->applied(), 2u);
  EXPECT_EQ(ack->rejected(), 1u);

  auto stub = v1::EventIngest::NewStub(As(kAcmeAll));
  grpc::ClientContext context;
  auto stream = stub->Stream(WithDeadline(&context));
  std::vector<v1::Event> again = events;  // acme's are duplicates now
  again[1].set_event_id("mix-2b");
  ASSERT_TRUE(stream->Write(Batch(78, again)));
  stream->WritesDone();
  v1::IngestAck sack;
  ASSERT_TRUE(stream->Read(&sack));
  EXPECT_TRUE(stream->Finish().ok());
  ASSERT_EQ(sack.results_size(), 3);
  EXPECT_EQ(sack.results(0).outcome(), v1::DUPLICATE);
  EXPECT_EQ(sack.results(1).outcome(), v1::REJECTED);
  EXPECT_THAT(sack.results(1).reason(), HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(sack.results(2).outcome(), v1::DUPLICATE);
  EXPECT_EQ(sack.duplicates(), 2u);
  EXPECT_EQ(sack.rejected(), 1u);

  // The acme shop exists; globex is unchanged.
  EXPECT_TRUE(GetShop(As(kAcmeAll), "acme", "a-mixed").ok());
  EXPECT_EQ(GlobexState(), globex_before);
  // Operators (tenant=*) may ingest any tenant.
  absl::StatusOr<v1::IngestAck> ops = Publish(
      As(kOpsNoAdmin),
      {ShopEvents("globex", "g-ops")
           .Registered("ops-1", "2026-02-01T00:00:00Z", "douyin", "CN")},
      79);
  ASSERT_TRUE(ops.ok()) << ops.status();
  EXPECT_EQ(ops->applied(), 1u);
}

TEST_F(AttackTest, ListsAndWatchShowOnlyTheCallersTenant) {
  // ListShops with no tenant: the caller's shops only.
  auto readiness = v1::Readiness::NewStub(As(kAcmeRead));
  {
    grpc::ClientContext context;
    v1::ListShopsResponse resp;
    ASSERT_TRUE(
        readiness
            ->ListShops(WithDeadline(&context), v1::ListShopsRequest(), &resp)
            .ok());
    ASSERT_GE(resp.shops_size(), 2);
    for (const v1::ShopSummary& s : resp.shops()) {
      EXPECT_EQ(s.tenant(), "acme") << s.ShortDebugString();
    }
  }
  // A page token from an operator's listing that points into globex's range
  // still lists only acme.
  {
    auto admin = v1::Readiness::NewStub(As(kAdmin));
    grpc::ClientContext context;
    v1::ListShopsRequest req;
    req.set_page_size(1);  // first page: acme's first shop
    v1::ListShopsResponse page;
    ASSERT_TRUE(admin->ListShops(WithDeadline(&context), req, &page).ok());
    ASSERT_FALSE(page.next_page_token().empty());
    grpc::ClientContext c2;
    v1::ListShopsRequest tampered;
    tampered.set_page_token(page.next_page_token());
    v1::ListShopsResponse resp;
    ASSERT_TRUE(readiness->ListShops(WithDeadline(&c2), tampered, &resp).ok());
    for (const v1::ShopSummary& s : resp.shops()) {
      EXPECT_EQ(s.tenant(), "acme") << s.ShortDebugString();
    }
  }

  // Alerts.List with no filter: the caller's alerts only.
  {
    auto alerts = v1::Alerts::NewStub(As(kAcmeRead));
    grpc::ClientContext context;
    v1::ListAlertsResponse resp;
    ASSERT_TRUE(
        alerts->List(WithDeadline(&context), v1::ListAlertsRequest(), &resp)
            .ok());
    ASSERT_GE(resp.alerts_size(), 1);
    for (const v1::Alert& a : resp.alerts()) {
      EXPECT_EQ(a.key().tenant(), "acme") << a.ShortDebugString();
    }
  }

  // Alerts.Watch from the start with no filter: every acme alert up to the
  // sentinel (acme a-2, committed after globex's), and nothing of globex.
  std::vector<uint64_t> acme_sequences;  // as the admin sees them
  {
    auto admin = v1::Alerts::NewStub(As(kAdmin));
    grpc::ClientContext context;
    v1::WatchAlertsRequest req;
    req.set_from_sequence(1);
    auto reader = admin->Watch(WithDeadline(&context), req);
    v1::Alert a;
    bool globex_seen = false;
    while (reader->Read(&a)) {
      if (a.key().tenant() == "globex") globex_seen = true;
      if (a.key().tenant() == "acme") acme_sequences.push_back(a.sequence());
      if (a.key().shop_id() == "a-2") break;
    }
    context.TryCancel();
    reader->Finish().IgnoreError();
    ASSERT_TRUE(globex_seen) << "the test needs a globex alert to hide";
  }
  {
    auto alerts = v1::Alerts::NewStub(As(kAcmeRead));
    grpc::ClientContext context;
    v1::WatchAlertsRequest req;
    req.set_from_sequence(1);
    auto reader = alerts->Watch(WithDeadline(&context), req);
    std::vector<uint64_t> seen;
    v1::Alert a;
    while (reader->Read(&a)) {
      EXPECT_EQ(a.key().tenant(), "acme") << a.ShortDebugString();
      seen.push_back(a.sequence());
      if (a.key().shop_id() == "a-2") break;
    }
    context.TryCancel();
    reader->Finish().IgnoreError();
    EXPECT_EQ(seen, acme_sequences);
  }
}

TEST_F(AttackTest, DenialDoesNotRevealWhetherAShopExists) {
  auto stub = v1::Readiness::NewStub(As(kAcmeRead));
  auto get = [&](const std::string& shop) {
    grpc::ClientContext context;
    v1::GetShopRequest req;
    req.set_tenant("globex");
    req.set_shop_id(shop);
    v1::ReadinessReport resp;
    return stub->GetShop(WithDeadline(&context), req, &resp);
  };
  grpc::Status exists = get("g-1");
  grpc::Status missing = get("no-such-shop");
  EXPECT_EQ(exists.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(exists.error_message(), missing.error_message());
  EXPECT_EQ(exists.error_message(),
            "Readiness.GetShop: token \"acme-read\" is for tenant \"acme\" "
            "and may not access tenant \"globex\": use that tenant's own "
            "token");
  // An empty tenant means the caller's own: globex's shop id is then
  // simply not an acme shop.
  grpc::ClientContext context;
  v1::GetShopRequest req;
  req.set_shop_id("g-1");
  v1::ReadinessReport resp;
  EXPECT_EQ(stub->GetShop(WithDeadline(&context), req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(AttackTest, StolenHashesAndMalformedCredentialsAreUnauthenticated) {
  // Someone who read the token file has hashes, not tokens.
  EXPECT_EQ(ListShopsStatus(As(daemon::Sha256Hex(kAdmin))),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListShopsStatus(As("sha256:" + daemon::Sha256Hex(kAdmin))),
            grpc::StatusCode::UNAUTHENTICATED);
  auto raw = [&](const std::vector<std::string>& values) {
    auto stub = v1::Readiness::NewStub(Anonymous());
    grpc::ClientContext context;
    for (const std::string& v : values) context.AddMetadata("authorization", v);
    v1::ListShopsResponse resp;
    return stub
        ->ListShops(WithDeadline(&context), v1::ListShopsRequest(), &resp)
        .error_code();
  };
  EXPECT_EQ(raw({kAdmin}), grpc::StatusCode::UNAUTHENTICATED);  // no scheme
  EXPECT_EQ(raw({absl::StrCat("Basic ", kAdmin)}),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(raw({"Bearer"}), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(raw({absl::StrCat("Bearer ", kAdmin),
                 absl::StrCat("Bearer ", kAcmeRead)}),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(raw({absl::StrCat("Bearer ", kAdmin, "x")}),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(raw({absl::StrCat("bearer ", kAcmeRead)}), grpc::StatusCode::OK);
}

TEST_F(AttackTest, TenantTokenSilenceWithoutTenantSilencesOnlyItsTenant) {
  const std::string globex_before = GlobexState();
  auto stub = v1::Alerts::NewStub(As(kAcmeAll));
  grpc::ClientContext context;
  v1::SilenceRequest req;
  req.set_kind(v1::ACCOUNT_MISMATCH);  // no tenant: acme's, filled in
  req.mutable_ends_at()->set_seconds(
      absl::ToUnixSeconds(TestClockNow() + absl::Hours(48)));
  req.set_by("acme ops");
  v1::SilenceResponse resp;
  grpc::Status s = stub->Silence(WithDeadline(&context), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(resp.silence_id().empty());
  bool acme_silenced = false;
  for (const v1::Alert& a : AlertsOf("acme")) {
    if (a.silenced_by() == resp.silence_id()) acme_silenced = true;
  }
  EXPECT_TRUE(acme_silenced);
  for (const v1::Alert& a : AlertsOf("globex")) {
    EXPECT_NE(a.silenced_by(), resp.silence_id()) << a.ShortDebugString();
  }
  EXPECT_EQ(GlobexState(), globex_before);
}

TEST_F(AttackTest, HealthStaysOpen) {
  grpc::health::v1::Health::Stub health(Anonymous());
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health
                  .Check(WithDeadline(&context),
                         grpc::health::v1::HealthCheckRequest(), &resp)
                  .ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace depositd::integration
