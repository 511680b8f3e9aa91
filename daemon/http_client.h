// HttpClient: the one place depositd speaks HTTP, a thin wrapper over
// libcurl's easy API (no hand-written HTTP).
//
// Used by the sink dispatcher to POST alert notifications and by tests to
// query HTTP APIs (Alertmanager's /api/v2/alerts). One client keeps one curl
// easy handle, so consecutive requests to the same host reuse the
// connection (keep-alive).
//
//   std::atomic<bool> stop{false};
//   HttpClient client(&stop);
//   HttpClient::Response r = client.Post(
//       "http://127.0.0.1:9093/api/v2/alerts",
//       {{"Content-Type", "application/json"}}, body, absl::Seconds(5));
//   if (r.status / 100 == 2) ...          // delivered
//   else if (r.status == 0) ...           // no response: r.error says why
//
// Failure contract: requests never fail "outside" the Response. status is the
// HTTP status of the final response, or 0 when there was none (connection
// refused, DNS, timeout, TLS, aborted); `error` is then a short text from
// libcurl, e.g. "Couldn't connect to server: Failed to connect to 127.0.0.1
// port 9 after 0 ms". Redirects are not followed (a 3xx is returned as is).
// Proxies come from the usual environment variables (http_proxy, no_proxy),
// as with the curl command.
//
// Abort: a request in flight returns (status 0, aborted = true) soon after
// the `stop` flag becomes true: libcurl's transfer-progress callback checks
// the flag, and libcurl calls it at least about once a second even while
// nothing moves, so an abort takes at most about a second.
//
// Signals: CURLOPT_NOSIGNAL is set (DNS timeouts do not use SIGALRM), so the
// client is safe in a multi-threaded process. curl_global_init runs once per
// process, on the first client's construction.
//
// Thread-safety: not thread-safe; one thread uses a client at a time. The
// `stop` flag may be set from any thread.
#ifndef DEPOSITD_DAEMON_HTTP_CLIENT_H_
#define DEPOSITD_DAEMON_HTTP_CLIENT_H_

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace depositd::daemon {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  struct Response {
    // HTTP status of the response; 0 when none arrived (see `error`).
    int status = 0;
    // The response body, truncated to max_body_bytes.
    std::string body;
    // Retry-After of the response (delay-seconds or an HTTP-date, turned
    // into a delay from now; a date in the past gives zero). nullopt when
    // the header is absent or unparsable.
    std::optional<absl::Duration> retry_after;
    // With status 0: why, short ("Timeout was reached: ..."). Empty
    // otherwise.
    std::string error;
    // True when the request stopped because the stop flag was set.
    bool aborted = false;
  };

  // `stop` is borrowed and may be null (never aborted); it must outlive the
  // client. Responses bodies are kept up to `max_body_bytes`.
  explicit HttpClient(const std::atomic<bool>* stop = nullptr,
                      size_t max_body_bytes = 1 << 20);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` with `headers` to `url`. `timeout` bounds the whole request
  // (connect, send, wait, receive).
  Response Post(const std::string& url, const HttpHeaders& headers,
                absl::string_view body, absl::Duration timeout);

  // GETs `url`.
  Response Get(const std::string& url, const HttpHeaders& headers,
               absl::Duration timeout);

 private:
  Response Perform(const std::string& url, const HttpHeaders& headers,
                   const absl::string_view* body, absl::Duration timeout);

  const std::atomic<bool>* stop_;
  const size_t max_body_bytes_;
  void* curl_;  // CURL*; void* keeps curl.h out of this header
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_HTTP_CLIENT_H_
