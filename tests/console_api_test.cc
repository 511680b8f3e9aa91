// The console's JSON API (/api/v1, daemon/api_router.h) and static files
// (/console/) on the real depositd binary: every endpoint's
// authentication and errors, sessions (cookie attributes, CSRF, sign-out,
// kept across a restart), tenant isolation (a tenant's token cannot see or act
// on another tenant's shop: 403), the JSON shapes the console reads, and
// the console's security headers.
#include <curl/curl.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "daemon/auth.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Response {
  long status = 0;
  // Lower-case names; repeated headers keep every value.
  std::multimap<std::string, std::string> headers;
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  // The body as a JSON object (empty when it is not one).
  google::protobuf::Struct Json() const {
    google::protobuf::Struct s;
    if (!google::protobuf::util::JsonStringToMessage(body, &s).ok()) s.Clear();
    return s;
  }
  // A top-level string field of the JSON body.
  std::string Field(const std::string& name) const {
    google::protobuf::Struct s = Json();
    auto it = s.fields().find(name);
    return it == s.fields().end() ? "" : it->second.string_value();
  }
  std::string ErrorCode() const {
    google::protobuf::Struct s = Json();
    auto it = s.fields().find("error");
    if (it == s.fields().end()) return "";
    auto code = it->second.struct_value().fields().find("code");
    return code == it->second.struct_value().fields().end()
               ? ""
               : code->second.string_value();
  }
};

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  absl::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    static_cast<std::multimap<std::string, std::string>*>(out)->emplace(
        absl::AsciiStrToLower(line.substr(0, colon)),
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  return size * n;
}

// One HTTP request with libcurl: `headers` as "Name: value" lines.
Response Request(const std::string& method, const std::string& url,
                 const std::vector<std::string>& headers = {},
                 const std::string& body = "") {
  Response r;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return r;
  curl_slist* list = nullptr;
  for (const std::string& h : headers)
    list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

constexpr char kOps[] = "ops-token-0123456789";          // tenant=* all roles
constexpr char kOpsRead[] = "opsread-token-0123456789";  // tenant=* read
constexpr char kAcme[] = "acme-token-0123456789";        // acme read,alerts
constexpr char kAcmeRead[] = "acmeread-token-012345";    // acme read only
constexpr char kFeed[] = "feed-token-0123456789";        // tenant=* ingest
constexpr char kHua[] = "hua-token-0123456789";          // hua (zh-CN) read

std::string TokenLine(const std::string& token, const std::string& rest) {
  return absl::StrCat("sha256:", daemon::Sha256Hex(token), " ", rest, "\n");
}

std::string Bearer(const std::string& token) {
  return absl::StrCat("Authorization: Bearer ", token);
}

constexpr char kJson[] = "Content-Type: application/json";

class ConsoleApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string tokens =
        TokenLine(kOps, "tenant=* roles=read,alerts,admin,ingest name=ops") +
        TokenLine(kOpsRead, "tenant=* roles=read name=ops-read") +
        TokenLine(kAcme, "tenant=acme roles=read,alerts name=acme") +
        TokenLine(kAcmeRead, "tenant=acme roles=read name=acme-read") +
        TokenLine(kFeed, "tenant=* roles=ingest name=feed") +
        TokenLine(kHua, "tenant=hua roles=read name=hua");
    DaemonHarness::Options options;
    options.token_file = WriteFile(dir_.path(), "tokens", tokens);
    // Tenant hua words its alerts in Chinese; acme and globex set nothing.
    options.extra_args = {
        "--config",
        WriteFile(dir_.path(), "depositd.textproto",
                  "tenants { tenant: \"hua\" language: \"zh-CN\" }\n"
                  // Qingming, a Monday, on the CN calendar of acme/a1.
                  "calendars { name: \"CN\" holidays: \"2026-04-06\" }\n")};
    options.client.token = kOps;
    absl::StatusOr<std::unique_ptr<DaemonHarness>> d =
        DaemonHarness::Start(options);
    ASSERT_TRUE(d.ok()) << d.status();
    daemon_ = *std::move(d);
    // acme/a1 and globex/g1: closed with blockers (CLOSURE_BLOCKED fires);
    // acme/a2 only registered.
    std::vector<v1::Event> events =
        ShopEvents("acme", "a1").ClosedNotReadyTour("a1-");
    for (v1::Event& e : ShopEvents("globex", "g1").ClosedNotReadyTour("g1-")) {
      events.push_back(std::move(e));
    }
    events.push_back(
        ShopEvents("acme", "a2")
            .Registered("a2-1", "2026-03-01T00:00:00Z", "generic", "CN"));
    absl::StatusOr<v1::IngestAck> ack = Publish(daemon_->channel(), events);
    ASSERT_TRUE(ack.ok()) << ack.status();
    ASSERT_EQ(ack->applied(), events.size()) << ack->DebugString();
  }

  std::string Url(const std::string& path) const {
    return daemon_->http_url() + path;
  }
  Response Get(const std::string& path, const std::string& token = kOps) {
    std::vector<std::string> h;
    if (!token.empty()) h.push_back(Bearer(token));
    return Request("GET", Url(path), h);
  }
  Response Post(const std::string& path, const std::string& body,
                std::vector<std::string> headers) {
    headers.push_back(kJson);
    return Request("POST", Url(path), headers, body);
  }

  // Signs in with `token`: the cookie header line and the CSRF token.
  struct Session {
    std::string cookie;
    std::string csrf;
  };
  Session SignIn(const std::string& token) {
    Response r = Post("/api/v1/session",
                      absl::StrCat("{\"token\":\"", token, "\"}"), {});
    EXPECT_EQ(r.status, 200) << r.body;
    Session s;
    const std::string set_cookie = r.Header("set-cookie");
    s.cookie =
        absl::StrCat("Cookie: ", set_cookie.substr(0, set_cookie.find(';')));
    s.csrf = r.Field("csrfToken");
    return s;
  }

  ScopedTempDir dir_{"console-api"};
  std::unique_ptr<DaemonHarness> daemon_;
};

void ExpectApiHeaders(const Response& r) {
  EXPECT_EQ(r.Header("content-type"), "application/json") << r.body;
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
}

TEST_F(ConsoleApiTest, EveryEndpointRefusesAnUnauthenticatedCaller) {
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"GET", "/api/v1/session"},
      {"DELETE", "/api/v1/session"},
      {"GET", "/api/v1/overview"},
      {"GET", "/api/v1/shops"},
      {"GET", "/api/v1/shops/acme/a1"},
      {"GET", "/api/v1/shops/acme/a1/explain"},
      {"GET", "/api/v1/shops/acme/a1/alerts"},
      {"GET", "/api/v1/shops/acme/a1/calendar"},
      {"GET", "/api/v1/alerts"},
      {"POST", "/api/v1/alerts/acknowledge"},
      {"POST", "/api/v1/alerts/silence"},
      {"GET", "/api/v1/alerts/transitions"},
      {"GET", "/api/v1/no-such-path"},
  };
  for (const auto& [method, path] : endpoints) {
    for (const std::vector<std::string>& creds :
         {std::vector<std::string>{},
          std::vector<std::string>{Bearer("not-a-token")},
          std::vector<std::string>{"Cookie: depositd_session=forged"}}) {
      std::vector<std::string> h = creds;
      h.push_back(kJson);
      Response r = Request(method, Url(path), h, method == "POST" ? "{}" : "");
      EXPECT_EQ(r.status, 401) << method << " " << path << ": " << r.body;
      EXPECT_EQ(r.ErrorCode(), "UNAUTHENTICATED") << r.body;
      EXPECT_EQ(r.Header("www-authenticate"), "Bearer");
      ExpectApiHeaders(r);
    }
  }
}

TEST_F(ConsoleApiTest, SignInSetsAStrictCookieAndSignOutEndsTheSession) {
  Response wrong = Post("/api/v1/session", "{\"token\":\"wrong\"}", {});
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_EQ(wrong.Header("set-cookie"), "");
  Response no_token = Post("/api/v1/session", "{}", {});
  EXPECT_EQ(no_token.status, 400) << no_token.body;

  Response in =
      Post("/api/v1/session", absl::StrCat("{\"token\":\"", kAcme, "\"}"), {});
  ASSERT_EQ(in.status, 200) << in.body;
  ExpectApiHeaders(in);
  const std::string cookie = in.Header("set-cookie");
  EXPECT_THAT(cookie, HasSubstr("depositd_session="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("Path=/"));
  EXPECT_THAT(cookie, HasSubstr("Max-Age="));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // plain HTTP here
  EXPECT_THAT(in.body, HasSubstr("\"tenant\":\"acme\""));
  EXPECT_THAT(in.body, HasSubstr("\"roles\":[\"read\",\"alerts\"]"));
  EXPECT_EQ(in.Field("csrfToken").size(), 64u);
  EXPECT_FALSE(in.Field("expiresAt").empty());
  EXPECT_THAT(in.body, Not(HasSubstr(kAcme)));  // the token never comes back

  const std::string cookie_line =
      absl::StrCat("Cookie: ", cookie.substr(0, cookie.find(';')));
  Response who = Request("GET", Url("/api/v1/session"), {cookie_line});
  EXPECT_EQ(who.status, 200) << who.body;
  EXPECT_THAT(who.body, HasSubstr("\"name\":\"acme\""));
  Response shops = Request("GET", Url("/api/v1/shops"), {cookie_line});
  EXPECT_EQ(shops.status, 200) << shops.body;

  // Sign-out changes state: the cookie alone is not enough.
  Response no_csrf = Request("DELETE", Url("/api/v1/session"), {cookie_line});
  EXPECT_EQ(no_csrf.status, 403) << no_csrf.body;
  Response out = Request(
      "DELETE", Url("/api/v1/session"),
      {cookie_line, absl::StrCat("X-CSRF-Token: ", in.Field("csrfToken"))});
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_THAT(out.Header("set-cookie"), HasSubstr("Max-Age=0"));
  Response after = Request("GET", Url("/api/v1/shops"), {cookie_line});
  EXPECT_EQ(after.status, 401) << after.body;
}

TEST_F(ConsoleApiTest, ASessionSurvivesARestartUntilSignOut) {
  Session s = SignIn(kAcme);
  Session ended = SignIn(kAcme);
  ASSERT_EQ(Request("GET", Url("/api/v1/shops"), {s.cookie}).status, 200);
  ASSERT_EQ(Request("DELETE", Url("/api/v1/session"),
                    {ended.cookie, "X-CSRF-Token: " + ended.csrf})
                .status,
            200);
  ASSERT_TRUE(daemon_->Stop().ok());
  ASSERT_TRUE(daemon_->Restart().ok());

  Response shops = Request("GET", Url("/api/v1/shops"), {s.cookie});
  EXPECT_EQ(shops.status, 200) << shops.body;
  Response who = Request("GET", Url("/api/v1/session"), {s.cookie});
  EXPECT_EQ(who.status, 200) << who.body;
  EXPECT_THAT(who.body, HasSubstr("\"name\":\"acme\""));
  EXPECT_EQ(who.Field("csrfToken"), s.csrf);  // the page may re-read it
  // The session signed out before the restart stays ended.
  Response gone = Request("GET", Url("/api/v1/shops"), {ended.cookie});
  EXPECT_EQ(gone.status, 401) << gone.body;
  EXPECT_THAT(gone.body, HasSubstr("sign in again"));

  // Signing out after the restart ends it for good, across another restart.
  ASSERT_EQ(Request("DELETE", Url("/api/v1/session"),
                    {s.cookie, "X-CSRF-Token: " + s.csrf})
                .status,
            200);
  EXPECT_EQ(Request("GET", Url("/api/v1/shops"), {s.cookie}).status, 401);
  ASSERT_TRUE(daemon_->Stop().ok());
  ASSERT_TRUE(daemon_->Restart().ok());
  EXPECT_EQ(Request("GET", Url("/api/v1/shops"), {s.cookie}).status, 401);
}

TEST_F(ConsoleApiTest, ARestoredSessionStillChecksTheTokenFile) {
  Session s = SignIn(kAcmeRead);
  ASSERT_TRUE(daemon_->Stop().ok());
  // acme-read's token is taken out of the file while the daemon is down.
  WriteFile(
      dir_.path(), "tokens",
      TokenLine(kOps, "tenant=* roles=read,alerts,admin,ingest name=ops"));
  ASSERT_TRUE(daemon_->Restart().ok());
  Response r = Request("GET", Url("/api/v1/shops"), {s.cookie});
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_THAT(r.body, HasSubstr("token file"));
}

// The non-working days of a calendar answer, "date reason" each.
std::vector<std::string> OffDays(const Response& r) {
  std::vector<std::string> out;
  google::protobuf::Struct s = r.Json();
  auto it = s.fields().find("nonWorkingDays");
  if (it == s.fields().end()) return out;
  for (const google::protobuf::Value& d : it->second.list_value().values()) {
    const auto& f = d.struct_value().fields();
    out.push_back(absl::StrCat(f.at("date").string_value(), " ",
                               f.at("reason").string_value()));
  }
  return out;
}

TEST_F(ConsoleApiTest, AShopsCalendarListsItsWeekendsAndHolidays) {
  // acme/a1: TikTok Shop cross-border (CN calendar), closed 2026-03-02; now
  // is 2026-03-05; payment expected after the review that Qingming delays.
  Response r = Get("/api/v1/shops/acme/a1/calendar", kAcme);
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectApiHeaders(r);
  EXPECT_EQ(r.Field("tenant"), "acme");
  EXPECT_EQ(r.Field("shopId"), "a1");
  EXPECT_EQ(r.Field("calendar"), "CN");
  EXPECT_EQ(r.Field("timeZone"), "Asia/Shanghai");
  EXPECT_EQ(r.Field("from"), "2026-03-05");
  Response shop = Get("/api/v1/shops/acme/a1", kAcme);
  ASSERT_EQ(shop.status, 200) << shop.body;
  // The range ends on the expected payment's day, in Shanghai.
  EXPECT_THAT(shop.body,
              HasSubstr(absl::StrCat("\"expectedPaidAt\":\"", r.Field("to"))));
  const std::vector<std::string> off = OffDays(r);
  EXPECT_THAT(off, ::testing::Contains("2026-04-06 HOLIDAY"));
  EXPECT_THAT(off, ::testing::Contains("2026-03-07 WEEKEND"));
  EXPECT_THAT(
      off,
      ::testing::Not(::testing::Contains(::testing::HasSubstr("2026-04-07"))));

  Response range = Get(
      "/api/v1/shops/acme/a1/calendar?from=2026-04-01&to=2026-04-10", kAcme);
  ASSERT_EQ(range.status, 200) << range.body;
  EXPECT_THAT(OffDays(range),
              ::testing::ElementsAre("2026-04-04 WEEKEND", "2026-04-05 WEEKEND",
                                     "2026-04-06 HOLIDAY"));
  // The generic profile counts on UTC, with no holidays.
  Response generic = Get(
      "/api/v1/shops/acme/a2/calendar?from=2026-04-01&to=2026-04-10", kAcme);
  ASSERT_EQ(generic.status, 200) << generic.body;
  EXPECT_EQ(generic.Field("timeZone"), "UTC");
  EXPECT_THAT(OffDays(generic), ::testing::ElementsAre("2026-04-04 WEEKEND",
                                                       "2026-04-05 WEEKEND"));

  for (const std::string& bad :
       {"from=2026-04-31", "from=04/01/2026", "from=2026-04-10&to=2026-04-01",
        "from=2026-01-01&to=2027-12-31", "as_of=2026-04-01"}) {
    Response b = Get("/api/v1/shops/acme/a1/calendar?" + bad, kAcme);
    EXPECT_EQ(b.status, 400) << bad << ": " << b.body;
    EXPECT_EQ(b.ErrorCode(), "INVALID_ARGUMENT") << b.body;
  }
  EXPECT_EQ(Get("/api/v1/shops/acme/nope/calendar", kAcme).status, 404);
}

TEST_F(ConsoleApiTest, TheIdentityCarriesTheTenantsLanguage) {
  Session hua = SignIn(kHua);
  Response who = Request("GET", Url("/api/v1/session"), {hua.cookie});
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_THAT(who.body, HasSubstr("\"language\":\"zh-CN\""));
  Response in =
      Post("/api/v1/session", absl::StrCat("{\"token\":\"", kHua, "\"}"), {});
  EXPECT_THAT(in.body, HasSubstr("\"language\":\"zh-CN\""));
  // A tenant that configures none, and an all-tenants caller: no language
  // (the console follows the browser).
  Response acme = Get("/api/v1/session", kAcme);
  ASSERT_EQ(acme.status, 200) << acme.body;
  EXPECT_THAT(acme.body, Not(HasSubstr("\"language\"")));
  Response ops = Get("/api/v1/session", kOps);
  ASSERT_EQ(ops.status, 200) << ops.body;
  EXPECT_THAT(ops.body, Not(HasSubstr("\"language\"")));
}

TEST_F(ConsoleApiTest, CookieRequestsThatChangeStateNeedTheCsrfToken) {
  Session s = SignIn(kAcme);
  const std::string body =
      "{\"key\":{\"tenant\":\"acme\",\"shopId\":\"a1\",\"kind\":"
      "\"CLOSURE_BLOCKED\"},\"by\":\"alice\"}";
  Response none = Post("/api/v1/alerts/acknowledge", body, {s.cookie});
  EXPECT_EQ(none.status, 403) << none.body;
  EXPECT_THAT(none.body, HasSubstr("X-CSRF-Token"));
  Response wrong =
      Post("/api/v1/alerts/acknowledge", body, {s.cookie, "X-CSRF-Token: 00"});
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  // Another session's CSRF token does not fit this session.
  Session other = SignIn(kAcme);
  Response crossed = Post("/api/v1/alerts/acknowledge", body,
                          {s.cookie, "X-CSRF-Token: " + other.csrf});
  EXPECT_EQ(crossed.status, 403) << crossed.body;
  // A form post (no JSON content type) is refused before anything else.
  Response form = Request("POST", Url("/api/v1/alerts/acknowledge"),
                          {s.cookie, "X-CSRF-Token: " + s.csrf,
                           "Content-Type: application/x-www-form-urlencoded"},
                          "a=b");
  EXPECT_EQ(form.status, 415) << form.body;
}

TEST_F(ConsoleApiTest, ATenantCannotSeeOrActOnAnotherTenantsShop) {
  Session s = SignIn(kAcme);
  const std::vector<std::string> as_cookie = {s.cookie,
                                              "X-CSRF-Token: " + s.csrf};
  for (const std::vector<std::string>& creds :
       {std::vector<std::string>{Bearer(kAcme)}, as_cookie}) {
    for (const std::string& path :
         {"/api/v1/shops/globex/g1", "/api/v1/shops/globex/g1/explain",
          "/api/v1/shops/globex/g1/calendar", "/api/v1/shops/globex/g1/alerts",
          "/api/v1/shops?tenant=globex", "/api/v1/overview?tenant=globex",
          "/api/v1/alerts?tenant=globex",
          "/api/v1/alerts/transitions?from_sequence=1&tenant=globex",
          // a shop that does not exist in the other tenant: still 403,
          // never 404 (existence is not revealed)
          "/api/v1/shops/globex/nope"}) {
      Response r = Request("GET", Url(path), creds);
      EXPECT_EQ(r.status, 403) << path << ": " << r.body;
      EXPECT_EQ(r.ErrorCode(), "PERMISSION_DENIED") << r.body;
      ExpectApiHeaders(r);
    }
    std::vector<std::string> post = creds;
    post.push_back(kJson);
    Response ack =
        Request("POST", Url("/api/v1/alerts/acknowledge"), post,
                "{\"key\":{\"tenant\":\"globex\",\"shopId\":\"g1\",\"kind\":"
                "\"CLOSURE_BLOCKED\"},\"by\":\"mallory\"}");
    EXPECT_EQ(ack.status, 403) << ack.body;
    Response silence = Request("POST", Url("/api/v1/alerts/silence"), post,
                               "{\"tenant\":\"globex\",\"endsAt\":"
                               "\"2026-03-06T00:00:00Z\",\"by\":\"mallory\"}");
    EXPECT_EQ(silence.status, 403) << silence.body;
  }
  // Its own lists hold only its own shops and alerts.
  Response shops = Get("/api/v1/shops", kAcme);
  ASSERT_EQ(shops.status, 200) << shops.body;
  EXPECT_THAT(shops.body, HasSubstr("\"shopId\":\"a1\""));
  EXPECT_THAT(shops.body, Not(HasSubstr("globex")));
  Response alerts = Get("/api/v1/alerts", kAcme);
  ASSERT_EQ(alerts.status, 200) << alerts.body;
  EXPECT_THAT(alerts.body, HasSubstr("CLOSURE_BLOCKED"));
  EXPECT_THAT(alerts.body, Not(HasSubstr("globex")));
  Response transitions =
      Get("/api/v1/alerts/transitions?from_sequence=1", kAcme);
  ASSERT_EQ(transitions.status, 200) << transitions.body;
  EXPECT_THAT(transitions.body, HasSubstr("acme"));
  EXPECT_THAT(transitions.body, Not(HasSubstr("globex")));
}

TEST_F(ConsoleApiTest, ActionsNeedTheAlertsRole) {
  for (const char* token : {kAcmeRead, kOpsRead}) {
    Response ack = Post("/api/v1/alerts/acknowledge",
                        "{\"key\":{\"tenant\":\"acme\",\"shopId\":\"a1\","
                        "\"kind\":\"CLOSURE_BLOCKED\"},\"by\":\"bob\"}",
                        {Bearer(token)});
    EXPECT_EQ(ack.status, 403) << ack.body;
    EXPECT_THAT(ack.body, HasSubstr("alerts"));
    Response silence = Post("/api/v1/alerts/silence",
                            "{\"tenant\":\"acme\",\"endsAt\":"
                            "\"2026-03-06T00:00:00Z\",\"by\":\"bob\"}",
                            {Bearer(token)});
    EXPECT_EQ(silence.status, 403) << silence.body;
  }
  // An ingest-only token reads nothing.
  Response r = Get("/api/v1/shops", kFeed);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_THAT(r.body, HasSubstr("read"));
}

TEST_F(ConsoleApiTest, AcknowledgeAndSilenceFromTheConsole) {
  Session s = SignIn(kAcme);
  const std::vector<std::string> h = {s.cookie, "X-CSRF-Token: " + s.csrf};
  Response cursor = Request("GET", Url("/api/v1/alerts/transitions"), h);
  ASSERT_EQ(cursor.status, 200) << cursor.body;
  const std::string next = cursor.Field("nextSequence");
  ASSERT_FALSE(next.empty()) << cursor.body;

  Response ack = Post("/api/v1/alerts/acknowledge",
                      "{\"key\":{\"shopId\":\"a1\",\"kind\":"
                      "\"CLOSURE_BLOCKED\"},"
                      "\"by\":\"alice\",\"comment\":\"on it\","
                      "\"someFutureField\":1}",
                      h);
  // The key's tenant defaults to the caller's; the unknown field is
  // ignored. NOT_FOUND would mean the key shape is wrong.
  EXPECT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(ack.body, "{}");
  // The ACKNOWLEDGED transition is in the log the page polls.
  Response polled = Request(
      "GET", Url("/api/v1/alerts/transitions?from_sequence=" + next), h);
  ASSERT_EQ(polled.status, 200) << polled.body;
  EXPECT_THAT(polled.body, HasSubstr("ACKNOWLEDGED"));
  EXPECT_THAT(polled.body, HasSubstr("alice"));
  Response shop_alerts = Request("GET", Url("/api/v1/shops/acme/a1/alerts"), h);
  ASSERT_EQ(shop_alerts.status, 200) << shop_alerts.body;
  EXPECT_THAT(shop_alerts.body, HasSubstr("\"acknowledgedBy\":\"alice\""));
  EXPECT_THAT(shop_alerts.body, HasSubstr("\"history\":["));

  Response silence = Post("/api/v1/alerts/silence",
                          "{\"shopId\":\"a1\",\"endsAt\":"
                          "\"2026-03-06T00:00:00Z\",\"by\":\"alice\"}",
                          h);
  EXPECT_EQ(silence.status, 200) << silence.body;
  EXPECT_FALSE(silence.Field("silenceId").empty()) << silence.body;
  Response listed = Request("GET", Url("/api/v1/alerts?shop=a1"), h);
  EXPECT_THAT(listed.body, HasSubstr("\"silencedBy\""));

  Response bad = Post("/api/v1/alerts/silence", "{\"by\":\"alice\"", h);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.ErrorCode(), "INVALID_ARGUMENT");
  Response unknown = Post("/api/v1/alerts/acknowledge",
                          "{\"key\":{\"shopId\":\"a2\",\"kind\":"
                          "\"BALANCE_SHORT\",\"subject\":\"x\"},\"by\":\"a\"}",
                          h);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
}

TEST_F(ConsoleApiTest, ShopEndpointsAnswerTheGrpcMessagesAsJson) {
  Response shop = Get("/api/v1/shops/acme/a1");
  ASSERT_EQ(shop.status, 200) << shop.body;
  ExpectApiHeaders(shop);
  EXPECT_THAT(shop.body, HasSubstr("\"verdict\":\"NOT_READY\""));
  EXPECT_THAT(shop.body, HasSubstr("\"blockers\":["));
  Response as_of = Get("/api/v1/shops/acme/a1?as_of=2026-03-04T00:00:00Z");
  ASSERT_EQ(as_of.status, 200) << as_of.body;
  EXPECT_THAT(as_of.body, HasSubstr("\"asOf\":\"2026-03-04T00:00:00Z\""));
  Response explain = Get("/api/v1/shops/acme/a1/explain");
  ASSERT_EQ(explain.status, 200) << explain.body;
  EXPECT_THAT(explain.body, HasSubstr("\"events\":["));

  EXPECT_EQ(Get("/api/v1/shops/acme/nope").status, 404);
  EXPECT_EQ(Get("/api/v1/shops/acme/a1?as_of=yesterday").status, 400);
  EXPECT_EQ(Get("/api/v1/shops/acme/a1?bogus=1").status, 400);
  EXPECT_EQ(Get("/api/v1/shops/acme/a1/nothing").status, 404);
  EXPECT_EQ(Get("/api/v1/shops/acme").status, 404);
  Response method =
      Request("PUT", Url("/api/v1/shops/acme/a1"), {Bearer(kOps)});
  EXPECT_EQ(method.status, 405) << method.body;
  EXPECT_EQ(method.Header("allow"), "GET");
  ExpectApiHeaders(method);
  Response post_get = Post("/api/v1/shops", "{}", {Bearer(kOps)});
  EXPECT_EQ(post_get.status, 405);
  Response get_post = Get("/api/v1/alerts/silence");
  EXPECT_EQ(get_post.status, 405);
  Response unknown = Get("/api/v1/nothing-here");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.ErrorCode(), "NOT_FOUND");
  ExpectApiHeaders(unknown);
  Response big = Post("/api/v1/alerts/silence", std::string(70 * 1024, ' '),
                      {Bearer(kOps)});
  EXPECT_EQ(big.status, 413) << big.body;
}

TEST_F(ConsoleApiTest, ListShopsFiltersSortsAndPages) {
  Response all = Get("/api/v1/shops?page_size=2");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_THAT(all.body, HasSubstr("\"shopId\":\"a1\""));
  EXPECT_THAT(all.body, HasSubstr("\"shopId\":\"a2\""));
  const std::string token = all.Field("nextPageToken");
  ASSERT_FALSE(token.empty()) << all.body;
  Response page2 = Get("/api/v1/shops?page_size=2&page_token=" + token);
  ASSERT_EQ(page2.status, 200) << page2.body;
  EXPECT_THAT(page2.body, HasSubstr("\"shopId\":\"g1\""));
  EXPECT_EQ(page2.Field("nextPageToken"), "");
  // A token of one order is refused by the other.
  EXPECT_EQ(Get("/api/v1/shops?sort=risk&page_token=" + token).status, 400);

  Response risky = Get("/api/v1/shops?sort=risk&risk=CLOSURE_BLOCKED");
  ASSERT_EQ(risky.status, 200) << risky.body;
  EXPECT_THAT(risky.body, HasSubstr("a1"));
  EXPECT_THAT(risky.body, HasSubstr("g1"));
  EXPECT_THAT(risky.body, Not(HasSubstr("\"a2\"")));
  Response q = Get("/api/v1/shops?q=a2");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_THAT(q.body, HasSubstr("\"a2\""));
  EXPECT_THAT(q.body, Not(HasSubstr("\"a1\"")));
  Response verdict =
      Get("/api/v1/shops?verdict=NOT_READY,READY_AT&profile=nope");
  ASSERT_EQ(verdict.status, 200) << verdict.body;
  EXPECT_EQ(verdict.body, "{}");
  EXPECT_EQ(Get("/api/v1/shops?verdict=MAYBE").status, 400);
  EXPECT_EQ(Get("/api/v1/shops?risk=FIRE").status, 400);
  EXPECT_EQ(Get("/api/v1/shops?sort=name").status, 400);
  EXPECT_EQ(Get("/api/v1/shops?page_size=5000").status, 400);
  EXPECT_EQ(Get("/api/v1/shops?page_token=garbage").status, 400);

  Response overview = Get("/api/v1/overview");
  ASSERT_EQ(overview.status, 200) << overview.body;
  EXPECT_THAT(overview.body, HasSubstr("\"shops\":\"3\""));
  EXPECT_THAT(overview.body, HasSubstr("\"kind\":\"CLOSURE_BLOCKED\""));
  Response acme = Get("/api/v1/overview", kAcme);
  ASSERT_EQ(acme.status, 200) << acme.body;
  EXPECT_THAT(acme.body, HasSubstr("\"shops\":\"2\""));
}

TEST_F(ConsoleApiTest, ConsolePagesCarryAStrictPolicy) {
  for (const std::string path :
       {"/console/", "/console/alerts", "/console/shops/acme/a1"}) {
    Response r = Request("GET", Url(path));
    // Served without a token: the files hold no data.
    EXPECT_TRUE(r.status == 200 || r.status == 404) << path << r.status;
    EXPECT_EQ(r.Header("content-security-policy"),
              "default-src 'none'; script-src 'self'; style-src 'self'; "
              "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
              "form-action 'self'; frame-ancestors 'none'")
        << path;
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  }
  Response redirect = Request("GET", Url("/console"));
  EXPECT_EQ(redirect.status, 302);
  EXPECT_EQ(redirect.Header("location"), "/console/");
  EXPECT_EQ(Request("POST", Url("/console/"), {kJson}, "{}").status, 405);
}

}  // namespace
}  // namespace depositd::integration
