// HttpEdge in process: SetHandler's routing (longest prefix, no bearer
// check under a handler's prefix, the edge's own paths kept), the request
// a handler sees and the response headers it sets.
#include <curl/curl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "daemon/health_state.h"
#include "daemon/http_edge.h"
#include "daemon/http_handler.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Reply {
  long status = 0;
  std::string headers;
  std::string body;
};

size_t AppendTo(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One request with libcurl; status 0 when nothing came back.
Reply Fetch(const std::string& url, const std::string& method = "GET",
            const std::string& body = "",
            std::vector<std::string> headers = {}) {
  Reply r;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const std::string& h : headers)
    list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendTo);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendTo);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

// Answers with its name and remembers the last request.
class NamedHandler : public HttpHandler {
 public:
  explicit NamedHandler(std::string name) : name_(std::move(name)) {}
  size_t max_body_bytes() const override { return 16; }
  HttpEdgeResponse Handle(const HttpEdgeRequest& request) override {
    absl::MutexLock lock(&mu_);
    last_ = request;
    HttpEdgeResponse r;
    r.status = request.body_too_large ? 413 : 200;
    r.content_type = "text/plain";
    r.headers = {{"Set-Cookie", "a=1; HttpOnly"},
                 {"Set-Cookie", "b=2"},
                 {"Cache-Control", "max-age=60"},
                 {"Content-Security-Policy", "default-src 'self'"}};
    r.body = name_ + " " + request.path;
    return r;
  }
  HttpEdgeRequest last() const {
    absl::MutexLock lock(&mu_);
    return last_;
  }

 private:
  const std::string name_;
  mutable absl::Mutex mu_;
  HttpEdgeRequest last_;
};

class HttpEdgeUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/http_edge_unit_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    token_file_ = dir_ + "/tokens";
    {
      std::ofstream out(token_file_);
      out << "sha256:" << Sha256Hex("ops-token-0123456789")
          << " tenant=* roles=read name=ops\n";
    }
    chmod(token_file_.c_str(), 0600);
    Authorizer::Options auth;
    auth.token_file = token_file_;
    auth.reload_interval = absl::ZeroDuration();
    auto authorizer = Authorizer::Create(std::move(auth));
    ASSERT_TRUE(authorizer.ok()) << authorizer.status();
    authorizer_ = *std::move(authorizer);
    HttpEdge::Options options;
    options.listen = "127.0.0.1:0";
    options.authorizer = authorizer_.get();
    options.health = &health_;
    auto edge = HttpEdge::Start(std::move(options));
    ASSERT_TRUE(edge.ok()) << edge.status();
    edge_ = *std::move(edge);
    base_ = "http://127.0.0.1:" + std::to_string(edge_->port());
    health_.SetServing();
  }

  void TearDown() override {
    if (edge_ != nullptr) edge_->Stop();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::string token_file_;
  HealthState health_;
  std::unique_ptr<Authorizer> authorizer_;
  std::unique_ptr<HttpEdge> edge_;
  std::string base_;
};

TEST_F(HttpEdgeUnitTest, HandlersTakeTheirPrefixWithoutTheBearerCheck) {
  auto api = std::make_shared<NamedHandler>("api");
  auto shops = std::make_shared<NamedHandler>("shops");
  auto console = std::make_shared<NamedHandler>("console");
  edge_->SetHandler("/api/v1", api);
  edge_->SetHandler("/api/v1/shops/", shops);
  edge_->SetHandler("/console", console);

  struct Case {
    std::string path;
    long status;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"/api/v1", 200, "api /api/v1"},
      {"/api/v1/alerts?x=1", 200, "api /api/v1/alerts"},
      {"/api/v1/shops/s1", 200, "shops /api/v1/shops/s1"},
      {"/api/v1/shops", 200, "shops /api/v1/shops"},
      {"/api/v10", 401, ""},  // not under /api/v1: the edge's bearer check
      {"/console/app.js", 200, "console /console/app.js"},
      {"/consoles", 401, ""},
      {"/metrics", 401, ""},
  };
  for (const Case& c : cases) {
    const Reply r = Fetch(base_ + c.path);
    EXPECT_EQ(r.status, c.status) << c.path;
    if (c.status == 200) EXPECT_EQ(r.body, c.body) << c.path;
  }
  EXPECT_EQ(Fetch(base_ + "/livez").status, 200);
}

TEST_F(HttpEdgeUnitTest, HandlerSeesTheRequestAndSetsHeaders) {
  auto api = std::make_shared<NamedHandler>("api");
  edge_->SetHandler("/api/v1", api);
  const Reply r = Fetch(base_ + "/api/v1/silences?shop=s1", "POST", "{\"a\":1}",
                        {"X-Csrf-Token: abc", "Cookie: session=xyz",
                         "Content-Type: application/json"});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.headers, HasSubstr("Set-Cookie: a=1; HttpOnly\r\n"));
  EXPECT_THAT(r.headers, HasSubstr("Set-Cookie: b=2\r\n"));
  EXPECT_THAT(r.headers, HasSubstr("Cache-Control: max-age=60\r\n"));
  EXPECT_THAT(r.headers, Not(HasSubstr("no-store")));
  EXPECT_THAT(r.headers,
              HasSubstr("Content-Security-Policy: default-src 'self'\r\n"));
  const HttpEdgeRequest seen = api->last();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/api/v1/silences");
  EXPECT_EQ(seen.query, "shop=s1");
  EXPECT_EQ(seen.body, "{\"a\":1}");
  EXPECT_EQ(seen.Header("x-csrf-token"), "abc");
  EXPECT_EQ(seen.Header("cookie"), "session=xyz");
  EXPECT_EQ(seen.Header("absent"), "");
  EXPECT_EQ(seen.remote_addr, "127.0.0.1");
  EXPECT_GT(seen.remote_port, 0);
  EXPECT_FALSE(seen.tls);
}

TEST_F(HttpEdgeUnitTest, BodyOverTheHandlersLimitIsNotRead) {
  auto api = std::make_shared<NamedHandler>("api");
  edge_->SetHandler("/api/v1", api);
  const Reply r = Fetch(base_ + "/api/v1/x", "POST", std::string(17, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(api->last().body_too_large);
  EXPECT_EQ(api->last().body, "");
}

// The unread rest of a too-large body is drained, so the next request on
// the same keep-alive connection is parsed as sent (not from that body).
TEST_F(HttpEdgeUnitTest, TooLargeBodyLeavesTheConnectionInStep) {
  auto api = std::make_shared<NamedHandler>("api");
  edge_->SetHandler("/api", api);
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendTo);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  // A body that is itself a request: it must not be served.
  const std::string smuggled =
      "GET /api/smuggled HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(64, 'x');
  curl_easy_setopt(curl, CURLOPT_URL, (base_ + "/api/big").c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, smuggled.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                   static_cast<long>(smuggled.size()));
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  EXPECT_EQ(status, 413);
  body.clear();
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_URL, (base_ + "/api/next").c_str());
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "api /api/next");
  EXPECT_EQ(api->last().path, "/api/next");
  curl_easy_cleanup(curl);
}

TEST(HttpEdgeStartTest, TlsFilesAreCheckedNamingTheFlag) {
  HealthState health;
  HttpEdge::Options options;
  options.listen = "127.0.0.1:0";
  options.health = &health;
  options.tls_cert_file = "/nonexistent/cert.pem";
  options.tls_key_file = "/nonexistent/key.pem";
  auto edge = HttpEdge::Start(options);
  ASSERT_FALSE(edge.ok());
  EXPECT_EQ(edge.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(edge.status().message(),
              HasSubstr("--tls-cert /nonexistent/cert.pem"));
  options.tls_key_file = "";
  EXPECT_THAT(HttpEdge::Start(options).status().message(),
              HasSubstr("both --tls-cert and --tls-key"));
}

TEST(HttpEdgeStartTest, BadAddressesAndBusyPorts) {
  HealthState health;
  HttpEdge::Options options;
  options.health = &health;
  for (const std::string bad :
       {"9474", ":9474", "host:", "[::1:9474", "h:99999"}) {
    options.listen = bad;
    EXPECT_EQ(HttpEdge::Start(options).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  options.listen = "127.0.0.1:0";
  auto first = HttpEdge::Start(options);
  ASSERT_TRUE(first.ok()) << first.status();
  options.listen = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = HttpEdge::Start(options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("Address already in use"));
}

// /livez and /readyz answer from the shared HealthState: a shard stuck in
// one step (the probe, here with a fake step time) makes both 503 naming
// it; when it moves on both are 200 again.
TEST_F(HttpEdgeUnitTest, LivezNamesAStuckShard) {
  absl::Duration stuck = absl::ZeroDuration();
  absl::Mutex mu;
  health_.SetProgressProbe(
      [&] {
        absl::MutexLock lock(&mu);
        return SlowestShardStep{stuck > absl::ZeroDuration() ? 5 : -1, stuck};
      },
      absl::Seconds(30));
  EXPECT_EQ(Fetch(base_ + "/livez").status, 200);
  {
    absl::MutexLock lock(&mu);
    stuck = absl::Seconds(45);
  }
  const Reply live = Fetch(base_ + "/livez");
  EXPECT_EQ(live.status, 503);
  EXPECT_THAT(live.body, HasSubstr("shard 5 stuck in one processing step for "
                                   "45s (limit 30s)"));
  const Reply ready = Fetch(base_ + "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, live.body);
  {
    absl::MutexLock lock(&mu);
    stuck = absl::ZeroDuration();
  }
  EXPECT_EQ(Fetch(base_ + "/livez").status, 200);
  EXPECT_EQ(Fetch(base_ + "/readyz").status, 200);
  health_.ClearProgressProbe();
}

TEST_F(HttpEdgeUnitTest, EdgePathsCannotBeTakenAndNullRemoves) {
  auto h = std::make_shared<NamedHandler>("h");
  edge_->SetHandler("/metrics", h);
  edge_->SetHandler("/hooks/tiktok", h);
  edge_->SetHandler("/livez", h);
  EXPECT_EQ(Fetch(base_ + "/metrics").status, 401);
  EXPECT_EQ(Fetch(base_ + "/livez").body, "alive: serving\n");
  edge_->SetHandler("/api", h);
  EXPECT_EQ(Fetch(base_ + "/api/x").status, 200);
  edge_->SetHandler("/api", nullptr);
  EXPECT_EQ(Fetch(base_ + "/api/x").status, 401);
}

}  // namespace
}  // namespace depositd::daemon
