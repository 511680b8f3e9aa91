#include "daemon/auth.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace depositd::daemon {
namespace {

// A line of a token file for `token`.
std::string Line(const std::string& token, const std::string& rest) {
  return absl::StrCat("sha256:", Sha256Hex(token), " ", rest, "\n");
}

TEST(Sha256HexTest, KnownVector) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenTableTest, ParsesTokensCommentsAndBlankLines) {
  const std::string text =
      "# depositd tokens\n"
      "\n" +
      Line("acme-secret", "tenant=acme roles=ingest,read name=acme-feed") +
      "   " + Line("ops-secret", "tenant=* roles=read,alerts,admin  # ops") +
      Line("globex-secret", "roles=alerts tenant=globex");
  absl::StatusOr<TokenTable> table = TokenTable::Parse(text, "tokens");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 3u);

  const Principal* acme = table->Find("acme-secret");
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(acme->name, "acme-feed");
  EXPECT_EQ(acme->tenant, "acme");
  EXPECT_TRUE(acme->Has(Role::kIngest));
  EXPECT_TRUE(acme->Has(Role::kRead));
  EXPECT_FALSE(acme->Has(Role::kAlerts));
  EXPECT_FALSE(acme->Has(Role::kAdmin));
  EXPECT_FALSE(acme->all_tenants());
  EXPECT_TRUE(acme->MayAccess("acme"));
  EXPECT_FALSE(acme->MayAccess("globex"));
  EXPECT_EQ(acme->RoleList(), "ingest,read");

  const Principal* ops = table->Find("ops-secret");
  ASSERT_NE(ops, nullptr);
  EXPECT_TRUE(ops->all_tenants());
  EXPECT_TRUE(ops->MayAccess("anyone"));
  EXPECT_TRUE(ops->Has(Role::kAdmin));

  const Principal* globex = table->Find("globex-secret");
  ASSERT_NE(globex, nullptr);
  // No name=: the hash prefix, never the token.
  EXPECT_EQ(globex->name, "sha256:" + Sha256Hex("globex-secret").substr(0, 8));

  EXPECT_EQ(table->Find("acme-secreT"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
  EXPECT_EQ(table->Find(Sha256Hex("acme-secret")), nullptr);
}

TEST(TokenTableTest, UppercaseHashAndEmptyFile) {
  std::string hex = Sha256Hex("t");
  for (char& c : hex) c = static_cast<char>(toupper(c));
  absl::StatusOr<TokenTable> table = TokenTable::Parse(
      absl::StrCat("sha256:", hex, " tenant=a roles=read"), "f");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_NE(table->Find("t"), nullptr);

  absl::StatusOr<TokenTable> empty = TokenTable::Parse("# none yet\n", "f");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 0u);
}

// Each bad file fails with FILE:LINE and a message a person can act on.
TEST(TokenTableTest, ErrorsNameFileAndLine) {
  const std::string good = Line("a", "tenant=acme roles=read");
  struct Case {
    std::string text;
    std::string error;  // expected prefix + substring
  };
  const std::vector<Case> cases = {
      {good + Line("b", "tenant=acme roles=read,wrtie"),
       "tokens.txt:2: unknown role \"wrtie\""},
      {good + "\n" + Line("a", "tenant=globex roles=ingest"),
       "tokens.txt:3: duplicate token: the same sha256 is on line 1"},
      {Line("a", "roles=read"), "tokens.txt:1: missing tenant="},
      {Line("a", "tenant=acme"), "tokens.txt:1: missing roles="},
      {Line("a", "tenant=acme roles="), "tokens.txt:1: roles is empty"},
      {Line("a", "tenant= roles=read"), "tokens.txt:1: tenant \"\" is empty"},
      {Line("a", "tenant=acme roles=read colour=blue"),
       "tokens.txt:1: unknown field \"colour\""},
      {Line("a", "tenant=acme roles=read extra"),
       "tokens.txt:1: expected key=value, got \"extra\""},
      {Line("a", "tenant=acme tenant=b roles=read"),
       "tokens.txt:1: tenant= given twice"},
      {Line("a", "tenant=acme roles=admin"),
       "tokens.txt:1: role admin needs tenant=*"},
      {"# c\nsha256:abcd tenant=acme roles=read\n",
       "tokens.txt:2: the first field must be sha256:<64 hex digits>"},
      {"my-plain-secret tenant=acme roles=read\n",
       "tokens.txt:1: the first field must be sha256:"},
      {"sha256:" + std::string(64, 'g') + " tenant=a roles=read\n",
       "tokens.txt:1: the first field must be sha256:"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<TokenTable> table = TokenTable::Parse(c.text, "tokens.txt");
    ASSERT_FALSE(table.ok()) << c.text;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(table.status().message(), c.error))
        << "got: " << table.status().message() << "\nwant: " << c.error;
  }
}

TEST(TokenTableTest, ErrorNeverEchoesAPastedToken) {
  absl::StatusOr<TokenTable> table =
      TokenTable::Parse("s3cr3t-token-value tenant=a roles=read\n", "f");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message().find("s3cr3t"), absl::string_view::npos)
      << table.status().message();
}

TEST(PrincipalTest, RequireRoleAndTenantMessages) {
  Principal p;
  p.name = "acme-feed";
  p.tenant = "acme";
  p.roles = static_cast<uint32_t>(Role::kIngest);
  EXPECT_TRUE(RequireRole(p, {Role::kIngest}, "EventIngest.Publish").ok());
  absl::Status s = RequireRole(p, {Role::kAlerts, Role::kRead}, "Alerts.List");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "Alerts.List needs the role alerts or read; token \"acme-feed\" "
            "has roles ingest: use a token with that role, or ask the "
            "operator to add it to this token's line in depositd's token "
            "file");
  EXPECT_TRUE(RequireTenant(p, "acme", "Readiness.GetShop").ok());
  s = RequireTenant(p, "globex", "Readiness.GetShop");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "Readiness.GetShop: token \"acme-feed\" is for tenant \"acme\" "
            "and may not access tenant \"globex\": use that tenant's own "
            "token");

  const Principal all = Principal::Unrestricted();
  EXPECT_TRUE(all.all_tenants());
  for (Role r : {Role::kIngest, Role::kRead, Role::kAlerts, Role::kAdmin}) {
    EXPECT_TRUE(all.Has(r));
  }
}

// A temporary token file, removed at the end.
class TokenFile {
 public:
  TokenFile() {
    std::string tmpl = ::testing::TempDir();
    if (tmpl.empty() || tmpl.back() != '/') tmpl += '/';
    tmpl += "auth-test-XXXXXX";
    EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/tokens";
  }
  ~TokenFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // Replaces the file atomically (as an editor or config tool would).
  void Write(const std::string& text) const {
    const std::string tmp = path_ + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << text;
    }
    std::filesystem::rename(tmp, path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

Authorizer::Options TestOptions(const TokenFile& file,
                                std::vector<std::string>* log) {
  Authorizer::Options o;
  o.token_file = file.path();
  o.reload_interval = absl::ZeroDuration();  // reloads by hand
  o.log = [log](absl::string_view m) { log->emplace_back(m); };
  return o;
}

TEST(AuthorizerTest, AuthenticatesBearerMetadata) {
  TokenFile file;
  file.Write(Line("acme-secret", "tenant=acme roles=read name=acme-reader"));
  std::vector<std::string> log;
  absl::StatusOr<std::unique_ptr<Authorizer>> auth =
      Authorizer::Create(TestOptions(file, &log));
  ASSERT_TRUE(auth.ok()) << auth.status();

  absl::StatusOr<Principal> p = (*auth)->AuthenticateHeader(
      std::vector<absl::string_view>{"Bearer acme-secret"});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "acme-reader");
  EXPECT_EQ(p->tenant, "acme");
  // The scheme is case-insensitive (RFC 6750).
  EXPECT_TRUE((*auth)
                  ->AuthenticateHeader(
                      std::vector<absl::string_view>{"bearer acme-secret"})
                  .ok());

  struct Bad {
    std::vector<absl::string_view> values;
    std::string message_part;
  };
  const std::vector<Bad> bad = {
      {{}, "no credentials"},
      {{"Bearer wrong-secret"}, "not in depositd's token file"},
      {{"acme-secret"}, "is not \"Bearer <token>\""},
      {{"Basic YWNtZTpzZWNyZXQ="}, "is not \"Bearer <token>\""},
      {{"Bearer "}, "is not \"Bearer <token>\""},
      {{"Bearer acme-secret", "Bearer acme-secret"}, "more than one"},
  };
  for (const Bad& b : bad) {
    absl::StatusOr<Principal> r = (*auth)->AuthenticateHeader(b.values);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_NE(r.status().message().find(b.message_part), std::string::npos)
        << r.status().message();
    EXPECT_EQ(r.status().message().find("secret"), std::string::npos)
        << "the token must never be echoed: " << r.status().message();
  }
}

TEST(TokenTableTest, FindsATokenByItsSha256) {
  absl::StatusOr<TokenTable> table = TokenTable::Parse(
      Line("acme-secret", "tenant=acme roles=read name=acme-reader"), "tokens");
  ASSERT_TRUE(table.ok()) << table.status();
  const std::string hex = Sha256Hex("acme-secret");
  const Principal* p = table->FindSha256(hex);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "acme-reader");
  EXPECT_NE(table->FindSha256(absl::AsciiStrToUpper(hex)), nullptr);
  // Another hash, a truncated one, one that is not hex, the token itself.
  EXPECT_EQ(table->FindSha256(Sha256Hex("acme-secreT")), nullptr);
  EXPECT_EQ(table->FindSha256(hex.substr(0, 62)), nullptr);
  EXPECT_EQ(table->FindSha256(std::string(64, 'z')), nullptr);
  EXPECT_EQ(table->FindSha256("acme-secret"), nullptr);
  EXPECT_EQ(table->FindSha256(""), nullptr);
}

TEST(AuthorizerTest, AuthenticatesATokensSha256AndFollowsTheFile) {
  TokenFile file;
  file.Write(Line("acme-secret", "tenant=acme roles=read name=acme-reader"));
  std::vector<std::string> log;
  absl::StatusOr<std::unique_ptr<Authorizer>> auth =
      Authorizer::Create(TestOptions(file, &log));
  ASSERT_TRUE(auth.ok()) << auth.status();
  const std::string hex = Sha256Hex("acme-secret");
  absl::StatusOr<Principal> p = (*auth)->AuthenticateSha256(hex);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->tenant, "acme");
  // The token leaves the file: its hash no longer authenticates.
  file.Write(Line("other-secret", "tenant=acme roles=read"));
  ASSERT_TRUE((*auth)->ReloadIfChanged().ok());
  absl::StatusOr<Principal> gone = (*auth)->AuthenticateSha256(hex);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(gone.status().message().find("token file"), std::string::npos)
      << gone.status().message();
}

TEST(AuthorizerTest, ReloadAddsAndRemovesTokensAndKeepsOldOnError) {
  TokenFile file;
  file.Write(Line("one", "tenant=acme roles=read"));
  std::vector<std::string> log;
  absl::StatusOr<std::unique_ptr<Authorizer>> auth =
      Authorizer::Create(TestOptions(file, &log));
  ASSERT_TRUE(auth.ok()) << auth.status();
  auto works = [&](const std::string& token) {
    return (*auth)
        ->AuthenticateHeader(std::vector<absl::string_view>{"Bearer " + token})
        .ok();
  };
  EXPECT_TRUE(works("one"));
  EXPECT_FALSE(works("two"));

  // Unchanged: nothing happens, nothing logged.
  EXPECT_TRUE((*auth)->ReloadIfChanged().ok());
  EXPECT_TRUE(log.empty());

  // Add a token.
  file.Write(Line("one", "tenant=acme roles=read") +
             Line("two", "tenant=globex roles=ingest"));
  EXPECT_TRUE((*auth)->ReloadIfChanged().ok());
  EXPECT_TRUE(works("one"));
  EXPECT_TRUE(works("two"));
  EXPECT_EQ((*auth)->token_count(), 2u);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("reloaded: 2 tokens (was 1)"), std::string::npos)
      << log[0];

  // A broken file: the error with FILE:LINE, the old tokens stay.
  file.Write(Line("two", "tenant=globex roles=ingest") +
             Line("three", "tenant=globex roles=inget"));
  absl::Status s = (*auth)->ReloadIfChanged();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), file.path() + ":2: unknown role"))
      << s.message();
  EXPECT_TRUE(works("one"));
  EXPECT_TRUE(works("two"));
  EXPECT_FALSE(works("three"));
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[1].find(file.path() + ":2: unknown role \"inget\""),
            std::string::npos)
      << log[1];
  EXPECT_NE(log[1].find("keeping the previous 2 tokens"), std::string::npos)
      << log[1];
  // The same broken content is reported once.
  EXPECT_TRUE((*auth)->ReloadIfChanged().ok());
  EXPECT_EQ(log.size(), 2u);

  // Fixed, with "one" removed.
  file.Write(Line("two", "tenant=globex roles=ingest") +
             Line("three", "tenant=globex roles=ingest"));
  EXPECT_TRUE((*auth)->ReloadIfChanged().ok());
  EXPECT_FALSE(works("one"));
  EXPECT_TRUE(works("two"));
  EXPECT_TRUE(works("three"));

  // Deleted: every token is revoked (fail closed), said once.
  std::filesystem::remove(file.path());
  EXPECT_EQ((*auth)->ReloadIfChanged().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(works("two"));
  EXPECT_FALSE(works("three"));
  EXPECT_EQ((*auth)->token_count(), 0u);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_NE(
      log.back().find("TOKEN FILE GONE: cannot read token file " + file.path()),
      std::string::npos)
      << log.back();
  EXPECT_NE(log.back().find("every token (2) is revoked"), std::string::npos)
      << log.back();
  EXPECT_EQ((*auth)->ReloadIfChanged().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(log.size(), 4u);

  // Back with the same content: served again.
  file.Write(Line("two", "tenant=globex roles=ingest") +
             Line("three", "tenant=globex roles=ingest"));
  EXPECT_TRUE((*auth)->ReloadIfChanged().ok());
  EXPECT_TRUE(works("two"));
  EXPECT_TRUE(works("three"));
  ASSERT_EQ(log.size(), 5u);
  EXPECT_NE(log.back().find("reloaded: 2 tokens (was 0)"), std::string::npos)
      << log.back();
}

TEST(AuthorizerTest, TokenFileWritableByOthersIsRefusedAtStartAndOnReload) {
  TokenFile file;
  file.Write(Line("one", "tenant=acme roles=read"));
  std::vector<std::string> log;
  for (const mode_t mode : {0666, 0620, 0602}) {
    ASSERT_EQ(chmod(file.path().c_str(), mode), 0);
    absl::StatusOr<std::unique_ptr<Authorizer>> refused =
        Authorizer::Create(TestOptions(file, &log));
    ASSERT_FALSE(refused.ok()) << mode;
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(refused.status().message().find("chmod go-w " + file.path()),
              std::string::npos)
        << refused.status().message();
  }
  ASSERT_EQ(chmod(file.path().c_str(), 0644), 0);
  absl::StatusOr<std::unique_ptr<Authorizer>> auth =
      Authorizer::Create(TestOptions(file, &log));
  ASSERT_TRUE(auth.ok()) << auth.status();
  auto works = [&](const std::string& token) {
    return (*auth)
        ->AuthenticateHeader(std::vector<absl::string_view>{"Bearer " + token})
        .ok();
  };

  // Rewritten world-writable with a new token: ignored, loudly, once.
  file.Write(Line("evil", "tenant=* roles=admin,ingest,read"));
  ASSERT_EQ(chmod(file.path().c_str(), 0666), 0);
  EXPECT_EQ((*auth)->ReloadIfChanged().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*auth)->ReloadIfChanged().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(works("one"));
  EXPECT_FALSE(works("evil"));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("TOKEN FILE REFUSED: token file " + file.path() +
                        " is writable by others (mode 0666)"),
            std::string::npos)
      << log[0];
  EXPECT_NE(log[0].find("keeping the previous 1 tokens"), std::string::npos);

  // Made private: its content applies.
  ASSERT_EQ(chmod(file.path().c_str(), 0600), 0);
  EXPECT_TRUE((*auth)->ReloadIfChanged().ok());
  EXPECT_TRUE(works("evil"));
  EXPECT_FALSE(works("one"));
}

TEST(AuthorizerTest, LongValuesAreNeverEchoed) {
  const std::string token = "0123456789abcdef0123456789abcdef";
  for (const std::string& rest :
       {"tenant=acme roles=read " + token, "tenant=acme roles=" + token,
        "tenant=acme roles=read " + token + "=x",
        "tenant=" + token + " roles=admin"}) {
    absl::StatusOr<TokenTable> table =
        TokenTable::Parse(Line("a", rest), "tokens.txt");
    ASSERT_FALSE(table.ok()) << rest;
    EXPECT_EQ(table.status().message().find(token), absl::string_view::npos)
        << table.status().message();
    EXPECT_NE(table.status().message().find("not shown: it could be a token"),
              absl::string_view::npos)
        << table.status().message();
  }
}

TEST(AuthorizerTest, UnauthenticatedCallsAreCountedAndLoggedThrottled) {
  TokenFile file;
  file.Write(Line("one", "tenant=acme roles=read"));
  std::vector<std::string> log;
  Authorizer::Options o = TestOptions(file, &log);
  o.unauthenticated_log_interval = absl::Hours(1);
  absl::StatusOr<std::unique_ptr<Authorizer>> auth = Authorizer::Create(o);
  ASSERT_TRUE(auth.ok()) << auth.status();
  grpc::ServerContext context;  // no metadata: no credentials
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ((*auth)->Authenticate(context).status().code(),
              absl::StatusCode::kUnauthenticated);
  }
  EXPECT_EQ((*auth)->unauthenticated_count(), 1000u);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("refused an unauthenticated call from"),
            std::string::npos)
      << log[0];
}

TEST(AuthorizerTest, CreateFailsOnMissingOrBrokenFile) {
  TokenFile file;
  std::vector<std::string> log;
  absl::StatusOr<std::unique_ptr<Authorizer>> missing =
      Authorizer::Create(TestOptions(file, &log));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(file.path()), std::string::npos);

  file.Write("# tokens\n" + Line("a", "tenant=acme roles=read,reed"));
  absl::StatusOr<std::unique_ptr<Authorizer>> broken =
      Authorizer::Create(TestOptions(file, &log));
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().message(),
            file.path() +
                ":2: unknown role \"reed\": use ingest, read, alerts, admin "
                "(comma-separated, no spaces)");
}

// The reload thread picks a change up by itself.
TEST(AuthorizerTest, ReloadThreadPicksUpChanges) {
  TokenFile file;
  file.Write(Line("one", "tenant=acme roles=read"));
  std::vector<std::string> log;
  Authorizer::Options o = TestOptions(file, &log);
  o.reload_interval = absl::Milliseconds(20);
  o.log = nullptr;  // stderr; `log` is not thread-safe
  absl::StatusOr<std::unique_ptr<Authorizer>> auth = Authorizer::Create(o);
  ASSERT_TRUE(auth.ok()) << auth.status();
  file.Write(Line("one", "tenant=acme roles=read") +
             Line("two", "tenant=acme roles=read"));
  // Waits for the effect (bounded only so that a broken thread fails).
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while ((*auth)->token_count() != 2 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ((*auth)->token_count(), 2u);
}

}  // namespace
}  // namespace depositd::daemon
