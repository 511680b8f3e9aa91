#include "daemon/api_json.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/json.h"
#include "google/protobuf/util/json_util.h"

namespace depositd::daemon {
namespace {

// JSON string literal of `s` (quotes included): only what JSON requires
// escaped, plus '<' and '>' so the text is inert if ever sniffed as HTML.
std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

absl::StatusOr<std::string> PercentDecode(absl::string_view in,
                                          bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      const int hi = i + 2 < in.size() ? HexValue(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(
            "bad percent escape in the URL: write %XX with two hex digits");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

HttpEdgeResponse JsonResponse(int status, std::string body) {
  HttpEdgeResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.headers = {{"Cache-Control", "no-store"},
               {"X-Content-Type-Options", "nosniff"}};
  r.body = std::move(body);
  return r;
}

HttpEdgeResponse MessageResponse(const google::protobuf::Message& message) {
  absl::StatusOr<std::string> json = common::MessageToJson(message);
  if (!json.ok()) return ErrorResponse(json.status());
  return JsonResponse(200, *std::move(json));
}

HttpEdgeResponse ErrorResponse(int http_status, absl::string_view code,
                               absl::string_view message) {
  HttpEdgeResponse r = JsonResponse(
      http_status, absl::StrCat("{\"error\":{\"code\":", JsonString(code),
                                ",\"message\":", JsonString(message), "}}"));
  if (http_status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

HttpEdgeResponse ErrorResponse(const absl::Status& status) {
  return ErrorResponse(HttpStatusFor(status.code()),
                       absl::StatusCodeToString(status.code()),
                       status.message());
}

absl::Status ParseJsonBody(absl::string_view body,
                           google::protobuf::Message* message) {
  if (absl::StripAsciiWhitespace(body).empty()) {
    message->Clear();
    return absl::OkStatus();
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto s = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), message,
      options);
  if (s.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "the body is not a JSON ", message->GetDescriptor()->full_name(), " (",
      std::string(s.message()),
      "): send the message in protobuf's JSON mapping, e.g. "
      "lowerCamelCase field names and enum values by name"));
}

absl::StatusOr<std::map<std::string, std::string>> ParseQuery(
    absl::string_view query) {
  std::map<std::string, std::string> out;
  for (absl::string_view part : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> name = PercentDecode(kv.first, true);
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> value = PercentDecode(kv.second, true);
    if (!value.ok()) return value.status();
    out[*std::move(name)] = *std::move(value);
  }
  return out;
}

absl::StatusOr<std::string> DecodePathSegment(absl::string_view segment) {
  absl::StatusOr<std::string> s = PercentDecode(segment, false);
  if (!s.ok()) return s;
  if (s->find('/') != std::string::npos || s->find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        "a path segment decodes to '/' or NUL: tenants and shop ids with "
        "those cannot be named in a URL");
  }
  return s;
}

}  // namespace depositd::daemon
