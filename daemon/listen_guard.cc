#include "daemon/listen_guard.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace depositd::daemon {
namespace {

bool IsLoopbackAddress(const sockaddr* sa, std::string* text) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf));
    *text = buf;
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof(buf));
    *text = buf;
    if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) &&
           v6->sin6_addr.s6_addr[12] == 127;
  }
  *text = "an address of another family";
  return false;
}

}  // namespace

absl::Status RequireLoopback(const std::string& host) {
  if (host.empty()) {
    return absl::FailedPreconditionError(
        "an empty host means every interface, not loopback");
  }
  addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0) {
    // "localhost" is loopback by definition (RFC 6761 section 6.3), also
    // on a machine whose /etc/hosts does not list it (a minimal root): it
    // cannot name anything else there.
    const std::string lower = absl::AsciiStrToLower(host);
    if (lower == "localhost" || absl::EndsWith(lower, ".localhost")) {
      return absl::OkStatus();
    }
    return absl::FailedPreconditionError(
        absl::StrCat("\"", host, "\" does not resolve (", gai_strerror(rc),
                     "), so it cannot be shown to be loopback"));
  }
  absl::Status result;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    std::string text;
    if (!IsLoopbackAddress(a->ai_addr, &text)) {
      result = absl::FailedPreconditionError(absl::StrCat(
          "\"", host, "\" resolves to ", text, ", which is not loopback"));
      break;
    }
  }
  freeaddrinfo(found);
  return result;
}

}  // namespace depositd::daemon
