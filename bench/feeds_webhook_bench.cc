// feeds_webhook_bench: verified TikTok webhooks per second on ONE
// connection, through the real depositd (durable answers, --sync=fsync
// unless told otherwise), and the latency each request adds for
// durability. Two phases on the same keep-alive connection:
//   1. "verify only": signed notifications of a type depositd does not use
//      (verified, parsed, answered without a write);
//   2. "durable": signed order-status notifications, each answered 200 only
//      after its event is in the synced log.
// Requests are built and signed before the clock starts; each is sent
// after the previous answer (one connection, no pipelining: a platform's
// deliveries to one URL look like this at worst). A third phase sends
// other durable requests over --connections connections at once (each
// sequential), which share commit groups, as a platform delivering on
// several connections does.
//
//   build/bench/depositd_feeds_webhook_bench --requests 20000 --sync fsync
#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "feeds/signatures.h"
#include "tests/daemon_harness.h"
#include "tests/temp_files.h"

ABSL_FLAG(int, requests, 20000, "requests per phase");
ABSL_FLAG(int, shops, 100, "distinct shops the orders spread over");
ABSL_FLAG(std::string, sync, "fsync", "daemon --sync mode: fsync or os");
ABSL_FLAG(int, connections, 4,
          "a third phase: the durable requests again (new ids) over this "
          "many connections at once (0: skip)");

namespace depositd {
namespace {

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

struct Phase {
  std::string name;
  std::vector<std::string> bodies;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

// Sends every body on `curl` (one connection, reused); false on any
// non-200.
bool Run(CURL* curl, const std::string& url, const Phase& phase) {
  std::vector<double> ms;
  ms.reserve(phase.bodies.size());
  std::vector<curl_slist*> headers;
  for (const std::string& body : phase.bodies) {
    curl_slist* h =
        curl_slist_append(nullptr, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    h = curl_slist_append(
        h,
        absl::StrCat("Authorization: ",
                     feeds::TikTokSignature(
                         {"bench-app", "bench-secret", "bench", "", ""}, body))
            .c_str());
    headers.push_back(h);
  }
  long connections = 0;
  const absl::Time start = absl::Now();
  for (size_t i = 0; i < phase.bodies.size(); ++i) {
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers[i]);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, phase.bodies[i].data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(phase.bodies[i].size()));
    const absl::Time t0 = absl::Now();
    const CURLcode rc = curl_easy_perform(curl);
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200) {
      std::fprintf(stderr, "request %zu: curl %d, HTTP %ld\n", i,
                   static_cast<int>(rc), status);
      return false;
    }
    long opened = 0;
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &opened);
    connections += opened;
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  for (curl_slist* h : headers) curl_slist_free_all(h);
  std::printf(
      "%-12s requests=%zu seconds=%.3f requests_per_s=%.0f p50_ms=%.3f "
      "p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f connections=%ld\n",
      phase.name.c_str(), phase.bodies.size(), secs, phase.bodies.size() / secs,
      Percentile(ms, 0.50), Percentile(ms, 0.90), Percentile(ms, 0.99),
      Percentile(ms, 0.999), *std::max_element(ms.begin(), ms.end()),
      connections);
  std::fflush(stdout);
  return true;
}

CURL* NewConnection() {
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  return curl;
}

// `phase` split over `connections` connections, each sequential, all at
// once; prints each connection's line and the total rate.
bool RunParallel(const std::string& url, const Phase& phase, int connections) {
  std::vector<Phase> parts(connections);
  for (int c = 0; c < connections; ++c) {
    parts[c].name = absl::StrCat(phase.name, "_c", c);
  }
  for (size_t i = 0; i < phase.bodies.size(); ++i) {
    parts[i % connections].bodies.push_back(phase.bodies[i]);
  }
  std::vector<std::thread> threads;
  std::vector<char> ok(connections, 0);
  const absl::Time start = absl::Now();
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      CURL* curl = NewConnection();
      ok[c] = Run(curl, url, parts[c]) ? 1 : 0;
      curl_easy_cleanup(curl);
    });
  }
  for (std::thread& t : threads) t.join();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf(
      "%-12s requests=%zu seconds=%.3f requests_per_s=%.0f "
      "connections=%d (all at once)\n",
      phase.name.c_str(), phase.bodies.size(), secs, phase.bodies.size() / secs,
      connections);
  return std::all_of(ok.begin(), ok.end(), [](char v) { return v != 0; });
}

int Main() {
  const int n = absl::GetFlag(FLAGS_requests);
  const int shops = absl::GetFlag(FLAGS_shops);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  Phase verify{"verify_only", {}};
  Phase durable{"durable", {}};
  const int connections = absl::GetFlag(FLAGS_connections);
  Phase parallel{absl::StrCat("durable_x", connections), {}};
  for (int i = 0; i < n; ++i) {
    verify.bodies.push_back(absl::StrCat(
        R"({"type":99,"tts_notification_id":"v-)", i,
        R"(","shop_id":"bench-shop","timestamp":)", now, R"(,"data":{}})"));
    durable.bodies.push_back(absl::StrCat(
        R"({"type":1,"tts_notification_id":"d-)", i, R"(","shop_id":"shop-)",
        i % shops, R"(","timestamp":)", now, R"(,"data":{"order_id":"o-)", i,
        R"(","order_status":"AWAITING_SHIPMENT","update_time":)", now - 60,
        "}}"));
    parallel.bodies.push_back(absl::StrCat(
        R"({"type":1,"tts_notification_id":"p-)", i, R"(","shop_id":"shop-)",
        i % shops, R"(","timestamp":)", now, R"(,"data":{"order_id":"p-)", i,
        R"(","order_status":"AWAITING_SHIPMENT","update_time":)", now - 60,
        "}}"));
  }

  integration::ScopedTempDir dir("feeds-bench");
  const std::string secret =
      integration::WriteFile(dir.path(), "tt.secret", "bench-secret\n");
  chmod(secret.c_str(), 0600);
  const std::string config = integration::WriteFile(
      dir.path(), "depositd.textproto",
      absl::StrCat("feeds { tiktok { apps { app_key: \"bench-app\" "
                   "secret_file: \"",
                   secret, "\" tenant: \"bench\" } } }\n"));
  integration::DaemonHarness::Options options;
  options.sync = absl::GetFlag(FLAGS_sync);
  options.test_clock = false;
  options.extra_args = {"--config", config};
  auto daemon = integration::DaemonHarness::Start(options);
  if (!daemon.ok()) {
    std::fprintf(stderr, "feeds_webhook_bench: %s\n",
                 std::string(daemon.status().message()).c_str());
    return 2;
  }
  std::printf(
      "feeds_webhook_bench: TikTok webhooks, one keep-alive "
      "connection, sync=%s, %d requests per phase, %d shops\n",
      options.sync.c_str(), n, shops);
  CURL* curl = NewConnection();
  const std::string url = (*daemon)->http_url() + "/hooks/tiktok";
  const bool ok = Run(curl, url, verify) && Run(curl, url, durable) &&
                  (connections <= 0 || RunParallel(url, parallel, connections));
  curl_easy_cleanup(curl);
  if (!ok) {
    std::fprintf(stderr, "%s\n", (*daemon)->LogTail().c_str());
    return 1;
  }
  return (*daemon)->Stop().ok() ? 0 : 1;
}

}  // namespace
}  // namespace depositd

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return depositd::Main();
}
