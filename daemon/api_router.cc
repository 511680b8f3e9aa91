#include "daemon/api_router.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/timestamps.h"
#include "daemon/api_alerts.h"
#include "daemon/api_calendar.h"
#include "daemon/api_context.h"
#include "daemon/api_json.h"
#include "daemon/api_shops.h"
#include "daemon/config_versions.h"
#include "google/protobuf/struct.pb.h"

namespace depositd::daemon {

struct ApiRouter::Caller {
  Principal principal;
  // Set when the request was authenticated by the session cookie.
  std::optional<ApiSessions::Session> session;
};

namespace {

constexpr absl::string_view kPrefix = "/api/v1/";

// The depositd_session cookie's value in a Cookie header, or "".
std::string SessionCookie(const HttpEdgeRequest& request) {
  for (auto [it, end] = request.headers.equal_range("cookie"); it != end;
       ++it) {
    for (absl::string_view part : absl::StrSplit(it->second, ';')) {
      part = absl::StripAsciiWhitespace(part);
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(part, absl::MaxSplits('=', 1));
      if (kv.first == kSessionCookie) return std::string(kv.second);
    }
  }
  return "";
}

HttpEdgeResponse MethodNotAllowed(absl::string_view allow) {
  HttpEdgeResponse r =
      ErrorResponse(405, "METHOD_NOT_ALLOWED",
                    absl::StrCat("this path takes ", allow, " only"));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

HttpEdgeResponse NotFound(absl::string_view path) {
  return ErrorResponse(
      404, "NOT_FOUND",
      absl::StrCat("no API endpoint at ", path,
                   ": see the README, \"Console API\", for the paths"));
}

// The cookie that holds `value` for `max_age` (0 with an empty value:
// cleared). Secure when the request came over TLS.
std::string SetCookie(absl::string_view value, int64_t max_age, bool tls) {
  return absl::StrCat(kSessionCookie, "=", value,
                      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=", max_age,
                      tls ? "; Secure" : "");
}

// The caller as the console shows it: {"name", "tenant", "allTenants",
// "roles": [...], "language"} (language: the tenant's configured language,
// absent for an all-tenants caller).
google::protobuf::Value Identity(const Principal& p,
                                 absl::string_view language) {
  google::protobuf::Value v;
  auto& f = *v.mutable_struct_value()->mutable_fields();
  f["name"].set_string_value(p.name);
  f["tenant"].set_string_value(p.tenant);
  if (!language.empty()) f["language"].set_string_value(std::string(language));
  f["allTenants"].set_bool_value(p.all_tenants());
  auto* roles = f["roles"].mutable_list_value();
  for (Role r : {Role::kIngest, Role::kRead, Role::kAlerts, Role::kAdmin}) {
    if (p.Has(r))
      roles->add_values()->set_string_value(std::string(RoleName(r)));
  }
  return v;
}

// {"identity": ..., "csrfToken": ..., "expiresAt": ...} (the last two with
// a session).
HttpEdgeResponse SessionResponse(const Principal& p, absl::string_view language,
                                 const ApiSessions::Session* session) {
  google::protobuf::Struct out;
  auto& f = *out.mutable_fields();
  f["identity"] = Identity(p, language);
  if (session != nullptr) {
    f["csrfToken"].set_string_value(session->csrf_token);
    f["expiresAt"].set_string_value(common::FormatRfc3339(session->expires_at));
  }
  return MessageResponse(out);
}

}  // namespace

ApiRouter::ApiRouter(Options options)
    : options_(std::move(options)), sessions_(options_.sessions) {}

absl::StatusOr<ApiRouter::Caller> ApiRouter::Authenticate(
    const HttpEdgeRequest& request) const {
  Caller caller;
  std::vector<absl::string_view> authorization;
  for (auto [it, end] = request.headers.equal_range("authorization"); it != end;
       ++it) {
    authorization.push_back(it->second);
  }
  if (!authorization.empty()) {
    if (options_.authorizer == nullptr) {
      caller.principal = Principal::Unrestricted();
      return caller;
    }
    absl::StatusOr<Principal> p =
        options_.authorizer->AuthenticateHeader(authorization);
    if (!p.ok()) return p.status();
    caller.principal = *std::move(p);
    return caller;
  }
  const std::string cookie = SessionCookie(request);
  if (!cookie.empty()) {
    std::optional<ApiSessions::Session> s = sessions_.Find(cookie);
    if (!s.has_value()) {
      return absl::UnauthenticatedError(
          "the session has ended (signed out or expired): sign in again "
          "with your token");
    }
    if (options_.authorizer == nullptr) {
      caller.principal = Principal::Unrestricted();
    } else {
      absl::StatusOr<Principal> p =
          options_.authorizer->AuthenticateSha256(s->token_sha256);
      if (!p.ok()) {
        return absl::UnauthenticatedError(
            "the token this session was signed in with is no longer in "
            "depositd's token file: sign in with a valid token");
      }
      caller.principal = *std::move(p);
    }
    caller.session = std::move(s);
    return caller;
  }
  if (options_.authorizer == nullptr) {
    caller.principal = Principal::Unrestricted();
    return caller;
  }
  return absl::UnauthenticatedError(
      "no credentials: sign in (POST /api/v1/session with {\"token\": ...}) "
      "or send \"Authorization: Bearer <token>\"");
}

HttpEdgeResponse ApiRouter::Handle(const HttpEdgeRequest& request) {
  if (request.body_too_large) {
    return ErrorResponse(
        413, "PAYLOAD_TOO_LARGE",
        absl::StrCat("the request body is over ", kMaxApiBodyBytes,
                     " bytes: no API request needs that much"));
  }
  const bool posts = request.method == "POST";
  if (posts &&
      !absl::StartsWith(absl::AsciiStrToLower(request.Header("content-type")),
                        "application/json")) {
    return ErrorResponse(415, "UNSUPPORTED_MEDIA_TYPE",
                         "send the body as JSON with Content-Type: "
                         "application/json");
  }
  if (request.path == "/api/v1/session" && posts) return SignIn(request);
  absl::StatusOr<Caller> caller = Authenticate(request);
  if (!caller.ok()) return ErrorResponse(caller.status());
  // A request authenticated by the cookie alone that changes state must
  // prove it comes from the console's own page.
  if (caller->session.has_value() && request.method != "GET" &&
      request.method != "HEAD" &&
      !ApiSessions::CsrfMatches(*caller->session,
                                request.Header("x-csrf-token"))) {
    return ErrorResponse(
        403, "PERMISSION_DENIED",
        "missing or wrong X-CSRF-Token: a request that changes state with "
        "the session cookie must send the csrfToken from sign-in");
  }
  return Route(request, *caller);
}

HttpEdgeResponse ApiRouter::Route(const HttpEdgeRequest& request,
                                  const Caller& caller) {
  const std::string& method = request.method;
  const bool get = method == "GET" || method == "HEAD";
  absl::string_view rest = request.path;
  if (!absl::ConsumePrefix(&rest, kPrefix)) return NotFound(request.path);
  std::vector<absl::string_view> parts = absl::StrSplit(rest, '/');
  if (!parts.empty() && parts.back().empty()) parts.pop_back();  // "x/"

  if (parts.size() == 1 && parts[0] == "session") {
    if (get) return SessionInfo(caller);
    if (method == "DELETE") return SignOut(request, caller);
    return MethodNotAllowed("GET, POST, DELETE");
  }

  ApiContext ctx;
  ctx.engine = options_.engine;
  ctx.principal = caller.principal;
  ctx.timeout = options_.call_timeout;
  absl::StatusOr<std::map<std::string, std::string>> query =
      ParseQuery(request.query);
  if (!query.ok()) return ErrorResponse(query.status());
  ctx.query = *std::move(query);

  auto only_get = [&](auto serve) -> HttpEdgeResponse {
    if (!get) return MethodNotAllowed("GET");
    return serve();
  };
  auto only_post = [&](auto serve) -> HttpEdgeResponse {
    if (method != "POST") return MethodNotAllowed("POST");
    return serve();
  };

  if (parts.size() == 1 && parts[0] == "overview") {
    return only_get([&] { return ApiOverview(ctx); });
  }
  if (!parts.empty() && parts[0] == "shops") {
    if (parts.size() == 1) return only_get([&] { return ApiListShops(ctx); });
    if (parts.size() < 3 || parts.size() > 4) return NotFound(request.path);
    absl::StatusOr<std::string> tenant = DecodePathSegment(parts[1]);
    if (!tenant.ok()) return ErrorResponse(tenant.status());
    absl::StatusOr<std::string> shop = DecodePathSegment(parts[2]);
    if (!shop.ok()) return ErrorResponse(shop.status());
    if (parts.size() == 3) {
      return only_get([&] { return ApiGetShop(ctx, *tenant, *shop); });
    }
    if (parts[3] == "explain") {
      return only_get([&] { return ApiExplain(ctx, *tenant, *shop); });
    }
    if (parts[3] == "calendar") {
      return only_get([&] { return ApiShopCalendar(ctx, *tenant, *shop); });
    }
    if (parts[3] == "alerts") {
      return only_get([&] { return ApiShopAlerts(ctx, *tenant, *shop); });
    }
    return NotFound(request.path);
  }
  if (!parts.empty() && parts[0] == "alerts") {
    if (parts.size() == 1) return only_get([&] { return ApiListAlerts(ctx); });
    if (parts.size() == 2 && parts[1] == "acknowledge") {
      return only_post([&] { return ApiAcknowledge(ctx, request.body); });
    }
    if (parts.size() == 2 && parts[1] == "silence") {
      return only_post([&] { return ApiSilence(ctx, request.body); });
    }
    if (parts.size() == 2 && parts[1] == "transitions") {
      return only_get([&] { return ApiTransitions(ctx); });
    }
  }
  return NotFound(request.path);
}

HttpEdgeResponse ApiRouter::SignIn(const HttpEdgeRequest& request) {
  google::protobuf::Struct body;  // {"token": "..."}
  if (absl::Status s = ParseJsonBody(request.body, &body); !s.ok()) {
    return ErrorResponse(s);
  }
  auto it = body.fields().find("token");
  if (it == body.fields().end() ||
      it->second.kind_case() != google::protobuf::Value::kStringValue ||
      it->second.string_value().empty()) {
    return ErrorResponse(absl::InvalidArgumentError(
        "send {\"token\": \"<your depositd token>\"}"));
  }
  std::string token = it->second.string_value();
  Principal principal = Principal::Unrestricted();
  if (options_.authorizer != nullptr) {
    const std::string header = absl::StrCat("Bearer ", token);
    absl::StatusOr<Principal> p =
        options_.authorizer->AuthenticateHeader({header});
    if (!p.ok()) {
      return ErrorResponse(absl::UnauthenticatedError(
          "this token is not in depositd's token file: check it, or ask the "
          "operator for one"));
    }
    principal = *std::move(p);
  }
  absl::StatusOr<ApiSessions::Session> s = sessions_.Create(token);
  if (!s.ok()) return ErrorResponse(s.status());
  HttpEdgeResponse r =
      SessionResponse(principal, TenantLanguage(principal), &*s);
  const int64_t max_age = absl::ToInt64Seconds(options_.sessions.lifetime);
  r.headers.emplace_back("Set-Cookie", SetCookie(s->id, max_age, request.tls));
  return r;
}

HttpEdgeResponse ApiRouter::SessionInfo(const Caller& caller) const {
  return SessionResponse(
      caller.principal, TenantLanguage(caller.principal),
      caller.session.has_value() ? &*caller.session : nullptr);
}

std::string ApiRouter::TenantLanguage(const Principal& p) const {
  if (p.all_tenants() || options_.engine == nullptr) return "";
  // TenantConfig.language, the one the notifier words the tenant's alerts
  // in; a tenant that sets none gets "" (the console then follows the
  // browser).
  for (const v1::TenantConfig& t :
       options_.engine->config()->config.tenants()) {
    if (t.tenant() == p.tenant) return t.language();
  }
  return "";
}

HttpEdgeResponse ApiRouter::SignOut(const HttpEdgeRequest& request,
                                    const Caller& caller) {
  if (caller.session.has_value()) sessions_.End(caller.session->id);
  HttpEdgeResponse r = JsonResponse(200, "{}");
  r.headers.emplace_back("Set-Cookie", SetCookie("", 0, request.tls));
  return r;
}

}  // namespace depositd::daemon
