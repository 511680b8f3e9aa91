// HttpReceiver: a small HTTP/1.1 server for tests of alert delivery. It
// listens on 127.0.0.1 (port 0: the kernel picks one), records every request
// (method, path, headers, body) and answers from a script:
//
//   auto receiver = HttpReceiver::Start();          // StatusOr
//   (*receiver)->FailNext(3);                       // 500, 500, 500, then 200
//   (*receiver)->TooManyRequestsNext(2, "1");       // 429 Retry-After: 1
//   (*receiver)->AnswerNext(1, 200, R"({"errcode":130101})");  // any answer
//   (*receiver)->SetResponder(...);  // after the script: computed answers
//   (*receiver)->Hold(true);   // record requests but do not answer yet
//   (*receiver)->Stop();       // connection refused from now on
//   (*receiver)->Restart();    // the same port again (SO_REUSEADDR)
//   (*receiver)->WaitFor([](const auto& reqs) { return reqs.size() >= 5; },
//                        absl::Seconds(20));
//
// Scripted answers are consumed in order, one per request; when the script
// is empty the answer is the responder's, or 200 with body "ok". Held requests
// are recorded with status 0 at once and answered (and their status recorded)
// when the hold ends, unless the client went away meanwhile.
//
// Supports what libcurl sends: keep-alive connections, Content-Length
// bodies (no chunked uploads: answered 411). One thread serves everything
// (poll).
//
// Thread-safety: thread-safe.
#ifndef DEPOSITD_TESTS_HTTP_RECEIVER_H_
#define DEPOSITD_TESTS_HTTP_RECEIVER_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace depositd::integration {

struct RecordedRequest {
  std::string method;
  std::string path;  // the request target, e.g. "/hook?x=1"
  // Header names lower-cased, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The status answered; 0 while held (or never answered).
  int status = 0;
  // The body answered.
  std::string answer;
  absl::Time received_at;

  // The first header called `name` (case-insensitive), or "".
  std::string Header(const std::string& name) const;
};

class HttpReceiver {
 public:
  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body = "ok";
  };
  // Computes the answer to a request when the script is empty. Called on the
  // serving thread with the receiver's lock held: it must not call the
  // receiver.
  using Responder = std::function<Reply(const RecordedRequest&)>;

  // Listens on 127.0.0.1:`port` (0: any free port).
  static absl::StatusOr<std::unique_ptr<HttpReceiver>> Start(int port = 0);
  ~HttpReceiver();  // Stop()
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path.
  std::string Url(const std::string& path) const;

  // Answers the next `n` requests with `status` (body "scripted failure").
  void FailNext(int n, int status = 500);
  // Answers the next `n` requests with 429 and Retry-After: `retry_after`.
  void TooManyRequestsNext(int n, const std::string& retry_after = "1");
  // Answers the next `n` requests with `status` and `body`.
  void AnswerNext(int n, int status, const std::string& body);
  // Answers with `responder` once the script is empty (null: 200 "ok").
  void SetResponder(Responder responder);
  // While on, requests are recorded but not answered.
  void Hold(bool on);

  // Closes the listening socket and every connection; joins the thread.
  // Clients get "connection refused" until Restart. Idempotent.
  void Stop();
  // Listens again on the same port. Requests recorded so far are kept.
  absl::Status Restart();

  // Every request so far, in arrival order.
  std::vector<RecordedRequest> requests() const;
  // Waits until `done(requests)` holds or `timeout` passes; the result of
  // the last check.
  bool WaitFor(
      const std::function<bool(const std::vector<RecordedRequest>&)>& done,
      absl::Duration timeout) const;

 private:
  struct Connection;

  HttpReceiver() = default;
  absl::Status Listen();
  void Serve();
  void Wake();
  // Parses complete requests out of `c`'s input; records and queues them.
  bool HandleInput(Connection* c);
  // Answers the queued requests of `c` unless held; false on a write error.
  bool AnswerPending(Connection* c);

  int port_ = 0;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Reply> script_ ABSL_GUARDED_BY(mu_);
  Responder responder_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordedRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace depositd::integration

#endif  // DEPOSITD_TESTS_HTTP_RECEIVER_H_
