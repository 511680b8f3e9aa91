// A small HTTP client for the integration tests that talk to depositd's
// HTTP edge (/metrics, the probes, /hooks/*): one libcurl request per call,
// on its own connection, never through a proxy, with a 10 s limit.
//
//   HttpTestResult r = HttpPost(d.http_url() + "/hooks/tiktok",
//                               {{"Authorization", signature}}, body);
//   EXPECT_EQ(r.status, 200);
//
// status is 0 when no answer came (refused, timed out). Thread-safe (each
// call has its own handle).
#ifndef DEPOSITD_TESTS_HTTP_TEST_CLIENT_H_
#define DEPOSITD_TESTS_HTTP_TEST_CLIENT_H_

#include <map>
#include <string>

namespace depositd::integration {

// Request headers by name, e.g. {{"Authorization", "Bearer t"}}.
using HttpTestHeaders = std::map<std::string, std::string>;

struct HttpTestResult {
  long status = 0;
  std::string content_type;
  // The WWW-Authenticate header of the answer (after its colon), or "".
  std::string www_authenticate;
  std::string body;
};

// GET `url`. An https:// URL is verified against `ca_file` when given (the
// system's CAs otherwise), the server's name included.
HttpTestResult HttpGet(const std::string& url,
                       const HttpTestHeaders& headers = {},
                       const std::string& ca_file = "");

// POST `body` to `url` with `headers` (Content-Type: application/json unless
// `headers` names another).
HttpTestResult HttpPost(const std::string& url, const HttpTestHeaders& headers,
                        const std::string& body);

// Sends a POST on a new connection and closes it without reading the
// answer: a platform whose request timed out. False when it could not
// connect or send everything.
bool HttpPostWithoutAnswer(const std::string& url,
                           const HttpTestHeaders& headers,
                           const std::string& body);

}  // namespace depositd::integration

#endif  // DEPOSITD_TESTS_HTTP_TEST_CLIENT_H_
