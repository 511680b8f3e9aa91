#include "tools/replay_hook.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "feeds/captured_request.h"
#include "feeds/request_signer.h"
#include "tools/client_channel.h"
#include "tools/ctl_client.h"

namespace depositd::tools {
namespace {

constexpr char kUsage[] =
    "usage: depositctl replay-hook tiktok|douyin|shopee|temu|amazon FILE "
    "[--edge URL] [--secret-file FILE] [--app-key KEY] [--callback-url URL] "
    "[--tenant T] [--signed-at RFC3339]";

int Usage(absl::string_view message) {
  std::cerr << "depositctl replay-hook: " << message << "\n" << kUsage << "\n";
  return kExitUsage;
}

// Headers a client sets itself; a captured copy would be wrong.
bool IsTransportHeader(const std::string& name) {
  return name == "host" || name == "content-length" || name == "connection" ||
         name == "transfer-encoding" || name == "expect";
}

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Answer {
  long status = 0;
  std::string body;
  std::string error;
};

// POSTs with libcurl, verifying TLS (with --tls-ca / --tls-cert / --tls-key
// when given).
Answer Post(const std::string& url, const feeds::FeedRequest& request,
            const CommandLine& cl, absl::Duration timeout) {
  Answer a;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    a.error = "curl_easy_init failed";
    return a;
  }
  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) {
    if (IsTransportHeader(name)) continue;
    list = curl_slist_append(list, absl::StrCat(name, ": ", value).c_str());
  }
  if (request.headers.count("content-type") == 0) {
    list = curl_slist_append(list, "content-type: application/json");
  }
  list = curl_slist_append(list, "Expect:");
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "depositctl replay-hook");
  const std::string ca = Option(cl, "tls-ca");
  const std::string cert = Option(cl, "tls-cert");
  const std::string key = Option(cl, "tls-key");
  if (!ca.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  if (!cert.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, cert.c_str());
  if (!key.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, key.c_str());
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
  } else {
    a.error = absl::StrCat(curl_easy_strerror(rc), error[0] != '\0' ? ": " : "",
                           error);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return a;
}

}  // namespace

int RunReplayHook(const CommandLine& cl) {
  if (absl::Status s =
          CheckOptions(cl, {"edge", "secret-file", "app-key", "callback-url",
                            "tenant", "signed-at"});
      !s.ok()) {
    return Usage(s.message());
  }
  if (cl.positionals.size() != 3) return Usage("needs PLATFORM and FILE");
  const std::string& platform = cl.positionals[1];
  const bool amazon = platform == "amazon";
  const bool tls = HasOption(cl, "tls") || HasOption(cl, "tls-ca") ||
                   HasOption(cl, "tls-cert");
  if (HasOption(cl, "tls-cert") != HasOption(cl, "tls-key")) {
    return Usage("--tls-cert and --tls-key go together");
  }
  std::string edge = tls ? "https://127.0.0.1:9474" : "http://127.0.0.1:9474";
  if (const char* env = std::getenv("DEPOSITD_EDGE"); env && *env) edge = env;
  edge = Option(cl, "edge", edge);
  while (!edge.empty() && edge.back() == '/') edge.pop_back();
  double timeout_seconds = 10;
  if (HasOption(cl, "timeout") &&
      (!absl::SimpleAtod(Option(cl, "timeout"), &timeout_seconds) ||
       timeout_seconds <= 0)) {
    return Usage("--timeout must be a positive number of seconds");
  }
  absl::Time signed_at = absl::Now();
  if (HasOption(cl, "signed-at")) {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, Option(cl, "signed-at"),
                         &signed_at, &err)) {
      return Usage(absl::StrCat("--signed-at is not an RFC 3339 time: ", err));
    }
  }

  absl::StatusOr<std::string> text =
      ReadOptionFile("the captured request", cl.positionals[2]);
  if (!text.ok()) return Usage(text.status().message());
  absl::StatusOr<feeds::CapturedRequest> captured =
      feeds::ParseCapturedRequest(*text);
  if (!captured.ok()) {
    return Usage(
        absl::StrCat(cl.positionals[2], ": ", captured.status().message()));
  }
  feeds::FeedRequest& request = captured->request;

  feeds::FeedApp app;
  app.app_key = Option(cl, "app-key");
  if (app.app_key.empty()) {
    app.app_key = std::string(
        request.Header(platform == "temu" ? "x-tm-app-key" : "app-id"));
  }
  if (!amazon) {
    if (!HasOption(cl, "secret-file")) {
      return Usage(absl::StrCat(platform, " needs --secret-file"));
    }
    absl::StatusOr<std::string> secret =
        ReadOptionFile("--secret-file", Option(cl, "secret-file"));
    if (!secret.ok()) return Usage(secret.status().message());
    app.secret = std::string(absl::StripAsciiWhitespace(*secret));
    if (app.app_key.empty() && platform != "shopee") {
      return Usage(absl::StrCat(platform, " needs --app-key"));
    }
  }
  std::string url = absl::StrCat(edge, "/hooks/", platform);
  app.callback_url = Option(cl, "callback-url", url);
  if (absl::Status s =
          feeds::SignAsPlatform(platform, app, signed_at, &request);
      !s.ok()) {
    return Usage(s.message());
  }
  std::string query = request.query;
  if (HasOption(cl, "tenant")) query = "tenant=" + Option(cl, "tenant");
  if (!query.empty()) absl::StrAppend(&url, "?", query);
  if (amazon) {
    std::string token;
    if (const char* env = std::getenv("DEPOSITD_TOKEN"); env && *env) {
      token = env;
    }
    token = Option(cl, "token", token);
    request.headers.erase("authorization");
    if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
  }

  const Answer a = Post(url, request, cl, absl::Seconds(timeout_seconds));
  if (a.status == 0) {
    std::cerr << "depositctl replay-hook: no answer from " << url << ": "
              << a.error << "\n";
    return kExitUsage;
  }
  std::cout << "HTTP " << a.status << "\n" << a.body;
  if (!a.body.empty() && a.body.back() != '\n') std::cout << "\n";
  return a.status / 100 == 2 ? kExitOk : kExitFailed;
}

}  // namespace depositd::tools
