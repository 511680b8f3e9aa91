#include "daemon/console_handler.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace depositd::daemon {
namespace {

HttpEdgeResponse WithConsoleHeaders(HttpEdgeResponse r) {
  r.headers.emplace_back("Content-Security-Policy", kConsoleCsp);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

HttpEdgeResponse Text(int status, std::string body) {
  HttpEdgeResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return WithConsoleHeaders(std::move(r));
}

}  // namespace

HttpEdgeResponse ConsoleHandler::Handle(const HttpEdgeRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpEdgeResponse r = Text(405, "the console takes GET only\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  absl::string_view path = request.path;
  if (path == "/console") {
    HttpEdgeResponse r = Text(302, "");
    r.content_type.clear();
    r.headers.emplace_back("Location", "/console/");
    return r;
  }
  if (!absl::ConsumePrefix(&path, "/console/")) {
    return Text(404, "not a console path\n");
  }
  std::optional<ConsoleFile> file;
  if (!path.empty() && !absl::StrContains(path, "..")) file = lookup_(path);
  if (!file.has_value() && absl::StartsWith(path, "assets/")) {
    return Text(404, "no such console file\n");
  }
  if (!file.has_value()) file = lookup_("index.html");
  if (!file.has_value()) {
    return Text(404, "this depositd was built without the console's files\n");
  }
  HttpEdgeResponse r;
  r.status = 200;
  r.content_type = std::string(file->content_type);
  r.body = std::string(file->body);
  return WithConsoleHeaders(std::move(r));
}

}  // namespace depositd::daemon
