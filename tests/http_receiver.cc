#include "tests/http_receiver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace depositd::integration {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

void SetNonBlocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
}

}  // namespace

std::string RecordedRequest::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

struct HttpReceiver::Connection {
  int fd = -1;
  std::string in;
  std::string out;
  // Indexes into requests_ of requests read but not answered yet, in order.
  std::deque<size_t> pending;
  bool close_after_reply = false;
  bool broken = false;
};

absl::StatusOr<std::unique_ptr<HttpReceiver>> HttpReceiver::Start(int port) {
  std::unique_ptr<HttpReceiver> r(new HttpReceiver());
  r->port_ = port;
  if (pipe2(r->wake_pipe_, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  SetNonBlocking(r->wake_pipe_[0]);
  SetNonBlocking(r->wake_pipe_[1]);
  absl::Status s = r->Restart();
  if (!s.ok()) return s;
  return r;
}

HttpReceiver::~HttpReceiver() {
  Stop();
  for (int fd : wake_pipe_) {
    if (fd >= 0) close(fd);
  }
}

std::string HttpReceiver::Url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", port_, path);
}

void HttpReceiver::FailNext(int n, int status) {
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < n; ++i) {
    Reply r;
    r.status = status;
    r.body = "scripted failure";
    script_.push_back(std::move(r));
  }
}

void HttpReceiver::AnswerNext(int n, int status, const std::string& body) {
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < n; ++i) {
    Reply r;
    r.status = status;
    r.body = body;
    script_.push_back(std::move(r));
  }
}

void HttpReceiver::SetResponder(Responder responder) {
  absl::MutexLock lock(&mu_);
  responder_ = std::move(responder);
}

void HttpReceiver::TooManyRequestsNext(int n, const std::string& retry_after) {
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < n; ++i) {
    Reply r;
    r.status = 429;
    r.headers.emplace_back("Retry-After", retry_after);
    r.body = "slow down";
    script_.push_back(std::move(r));
  }
}

void HttpReceiver::Hold(bool on) {
  {
    absl::MutexLock lock(&mu_);
    hold_ = on;
  }
  Wake();
}

void HttpReceiver::Wake() {
  const char c = 1;
  (void)!write(wake_pipe_[1], &c, 1);
}

absl::Status HttpReceiver::Listen() {
  // Close-on-exec: a daemon the test starts must not inherit the socket
  // (it would keep the port busy after Stop).
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 64) != 0) {
    const int err = errno;
    close(fd);
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on 127.0.0.1:", port_, ": ", std::strerror(err)));
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  SetNonBlocking(fd);
  listen_fd_ = fd;
  return absl::OkStatus();
}

absl::Status HttpReceiver::Restart() {
  {
    absl::MutexLock lock(&mu_);
    if (running_) return absl::OkStatus();
  }
  absl::Status s = Listen();
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    running_ = true;
    stop_ = false;
  }
  thread_ = std::thread([this] { Serve(); });
  return absl::OkStatus();
}

void HttpReceiver::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    stop_ = true;
  }
  Wake();
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
  listen_fd_ = -1;
  absl::MutexLock lock(&mu_);
  running_ = false;
}

std::vector<RecordedRequest> HttpReceiver::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

bool HttpReceiver::WaitFor(
    const std::function<bool(const std::vector<RecordedRequest>&)>& done,
    absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto holds = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return done(requests_);
  };
  return mu_.AwaitWithTimeout(absl::Condition(&holds), timeout);
}

bool HttpReceiver::HandleInput(Connection* c) {
  while (true) {
    const size_t end = c->in.find("\r\n\r\n");
    if (end == std::string::npos) return true;
    std::vector<std::string> lines =
        absl::StrSplit(c->in.substr(0, end), "\r\n");
    RecordedRequest request;
    std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
    if (first.size() != 3 || !absl::StartsWith(first[2], "HTTP/1.")) {
      c->out += "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
      c->close_after_reply = true;
      return false;
    }
    request.method = first[0];
    request.path = first[1];
    size_t content_length = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == std::string::npos) continue;
      std::string name = absl::AsciiStrToLower(lines[i].substr(0, colon));
      std::string value(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
      if (name == "content-length") {
        (void)absl::SimpleAtoi(value, &content_length);
      } else if (name == "transfer-encoding") {
        c->out += "HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\n\r\n";
        c->close_after_reply = true;
        return false;
      } else if (name == "connection" &&
                 absl::EqualsIgnoreCase(value, "close")) {
        c->close_after_reply = true;
      }
      request.headers.emplace_back(std::move(name), std::move(value));
    }
    if (c->in.size() < end + 4 + content_length) return true;
    request.body = c->in.substr(end + 4, content_length);
    c->in.erase(0, end + 4 + content_length);
    request.received_at = absl::Now();
    absl::MutexLock lock(&mu_);
    c->pending.push_back(requests_.size());
    requests_.push_back(std::move(request));
  }
}

bool HttpReceiver::AnswerPending(Connection* c) {
  if (!c->pending.empty()) {
    // A client that went away (killed while held) gets no answer, and its
    // requests stay unanswered (status 0) in the record.
    char byte;
    const ssize_t n = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 ||
        (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      return false;
    }
  }
  {
    absl::MutexLock lock(&mu_);
    if (hold_) return true;
    while (!c->pending.empty()) {
      Reply reply;
      if (!script_.empty()) {
        reply = std::move(script_.front());
        script_.pop_front();
      } else if (responder_) {
        reply = responder_(requests_[c->pending.front()]);
      }
      requests_[c->pending.front()].status = reply.status;
      requests_[c->pending.front()].answer = reply.body;
      c->pending.pop_front();
      absl::StrAppend(&c->out, "HTTP/1.1 ", reply.status, " ",
                      Reason(reply.status), "\r\nContent-Type: text/plain\r\n",
                      "Content-Length: ", reply.body.size(), "\r\n");
      for (const auto& [k, v] : reply.headers) {
        absl::StrAppend(&c->out, k, ": ", v, "\r\n");
      }
      absl::StrAppend(&c->out, "\r\n", reply.body);
    }
  }
  while (!c->out.empty()) {
    const ssize_t n = send(c->fd, c->out.data(), c->out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      if (errno == EINTR) continue;
      return false;
    }
    c->out.erase(0, static_cast<size_t>(n));
  }
  return true;
}

void HttpReceiver::Serve() {
  std::vector<std::unique_ptr<Connection>> conns;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) break;
    }
    // Answer what can be answered, drop finished or broken connections.
    for (auto& c : conns) {
      if (!AnswerPending(c.get())) c->broken = true;
      if (c->close_after_reply && c->pending.empty() && c->out.empty()) {
        c->broken = true;
      }
    }
    for (auto it = conns.begin(); it != conns.end();) {
      if ((*it)->broken) {
        close((*it)->fd);
        it = conns.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<pollfd> fds;
    fds.push_back({wake_pipe_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (auto& c : conns) {
      fds.push_back(
          {c->fd, static_cast<short>(POLLIN | (c->out.empty() ? 0 : POLLOUT)),
           0});
    }
    if (poll(fds.data(), fds.size(), 200) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      char buf[64];
      while (read(wake_pipe_[0], buf, sizeof(buf)) > 0) {
      }
    }
    if (fds[1].revents & POLLIN) {
      while (true) {
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) break;
        SetNonBlocking(fd);
        auto c = std::make_unique<Connection>();
        c->fd = fd;
        conns.push_back(std::move(c));
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      Connection* c = conns[i - 2].get();
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[16384];
        while (true) {
          const ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
          if (n > 0) {
            c->in.append(buf, static_cast<size_t>(n));
            continue;
          }
          if (n < 0 && errno == EINTR) continue;
          if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            c->broken = true;  // the client closed (or reset) it
          }
          break;
        }
        if (!HandleInput(c)) c->close_after_reply = true;
      }
    }
  }
  for (auto& c : conns) close(c->fd);
}

}  // namespace depositd::integration
