#include "daemon/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace depositd::daemon {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What the callbacks write into during one request.
struct Transfer {
  const std::atomic<bool>* stop = nullptr;
  size_t max_body_bytes = 0;
  std::string body;
  std::string retry_after;  // raw header value of the last response
  bool has_retry_after = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  if (t->body.size() < t->max_body_bytes) {
    t->body.append(data, std::min(bytes, t->max_body_bytes - t->body.size()));
  }
  return bytes;  // keep reading (and discarding) past the cap
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  absl::string_view line(data, bytes);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new response (after a 100 Continue, say): forget the previous one's.
    t->has_retry_after = false;
    t->retry_after.clear();
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos &&
      absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(line.substr(0, colon)),
                             "retry-after")) {
    t->has_retry_after = true;
    t->retry_after =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return bytes;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->stop != nullptr && t->stop->load(std::memory_order_relaxed) ? 1 : 0;
}

// Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
std::optional<absl::Duration> ParseRetryAfter(const std::string& value) {
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  const time_t at = curl_getdate(value.c_str(), nullptr);
  if (at == static_cast<time_t>(-1)) return std::nullopt;
  return std::max(absl::ZeroDuration(), absl::FromTimeT(at) - absl::Now());
}

}  // namespace

HttpClient::HttpClient(const std::atomic<bool>* stop, size_t max_body_bytes)
    : stop_(stop), max_body_bytes_(max_body_bytes) {
  GlobalInitOnce();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpClient::Response HttpClient::Post(const std::string& url,
                                      const HttpHeaders& headers,
                                      absl::string_view body,
                                      absl::Duration timeout) {
  return Perform(url, headers, &body, timeout);
}

HttpClient::Response HttpClient::Get(const std::string& url,
                                     const HttpHeaders& headers,
                                     absl::Duration timeout) {
  return Perform(url, headers, nullptr, timeout);
}

HttpClient::Response HttpClient::Perform(const std::string& url,
                                         const HttpHeaders& headers,
                                         const absl::string_view* body,
                                         absl::Duration timeout) {
  Response response;
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    response.error = "curl_easy_init failed";
    return response;
  }
  if (stop_ != nullptr && stop_->load()) {
    response.aborted = true;
    response.error = "aborted: stopping";
    return response;
  }
  // Reset keeps live connections and the DNS cache, drops the options.
  curl_easy_reset(curl);
  Transfer transfer;
  transfer.stop = stop_;
  transfer.max_body_bytes = max_body_bytes_;
  char error[CURL_ERROR_SIZE] = {0};

  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    list = curl_slist_append(list, absl::StrCat(name, ": ", value).c_str());
  }
  // No "Expect: 100-continue" round trip before larger bodies.
  list = curl_slist_append(list, "Expect:");

  const long timeout_ms = static_cast<long>(
      std::max<int64_t>(1, absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "depositd");
  if (body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body->size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    response.aborted = rc == CURLE_ABORTED_BY_CALLBACK;
    response.error = response.aborted
                         ? "aborted: stopping"
                         : absl::StrCat(curl_easy_strerror(rc),
                                        error[0] != '\0' ? ": " : "", error);
    return response;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  response.body = std::move(transfer.body);
  if (transfer.has_retry_after) {
    response.retry_after = ParseRetryAfter(transfer.retry_after);
  }
  return response;
}

}  // namespace depositd::daemon
