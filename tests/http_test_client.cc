#include "tests/http_test_client.h"

#include <curl/curl.h>
#include <strings.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace depositd::integration {
namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t KeepWwwAuthenticate(char* data, size_t size, size_t n, void* out) {
  const absl::string_view line(data, size * n);
  constexpr absl::string_view kName = "www-authenticate:";
  if (absl::StartsWithIgnoreCase(line, kName)) {
    *static_cast<std::string*>(out) = std::string(line.substr(kName.size()));
  }
  return size * n;
}

HttpTestResult Perform(const std::string& url, const HttpTestHeaders& headers,
                       const std::string* body, const std::string& ca_file) {
  HttpTestResult r;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return r;
  curl_slist* list = nullptr;
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    has_type = has_type || absl::EqualsIgnoreCase(name, "content-type");
    list = curl_slist_append(list, absl::StrCat(name, ": ", value).c_str());
  }
  if (body != nullptr) {
    if (!has_type) {
      list = curl_slist_append(list, "Content-Type: application/json");
    }
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body->size()));
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, KeepWwwAuthenticate);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.www_authenticate);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) r.content_type = type;
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

}  // namespace

HttpTestResult HttpGet(const std::string& url, const HttpTestHeaders& headers,
                       const std::string& ca_file) {
  return Perform(url, headers, nullptr, ca_file);
}

HttpTestResult HttpPost(const std::string& url, const HttpTestHeaders& headers,
                        const std::string& body) {
  return Perform(url, headers, &body, "");
}

bool HttpPostWithoutAnswer(const std::string& url,
                           const HttpTestHeaders& headers,
                           const std::string& body) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return false;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  bool sent = false;
  if (curl_easy_perform(curl) == CURLE_OK) {
    // "http://host:port/path?query" -> "/path?query".
    const size_t authority = url.find("//");
    const size_t path =
        url.find('/', authority == std::string::npos ? 0 : authority + 2);
    std::string request = absl::StrCat(
        "POST ", path == std::string::npos ? "/" : url.substr(path),
        " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
        "application/json\r\nContent-Length: ",
        body.size(), "\r\n");
    for (const auto& [name, value] : headers) {
      absl::StrAppend(&request, name, ": ", value, "\r\n");
    }
    absl::StrAppend(&request, "\r\n", body);
    size_t done = 0;
    while (done < request.size()) {
      size_t n = 0;
      const CURLcode rc = curl_easy_send(curl, request.data() + done,
                                         request.size() - done, &n);
      if (rc == CURLE_AGAIN) continue;
      if (rc != CURLE_OK) break;
      done += n;
    }
    sent = done == request.size();
  }
  curl_easy_cleanup(curl);
  return sent;
}

}  // namespace depositd::integration
