// Authentication and transport security of the real daemon: the token file
// (reloaded without a restart, a broken file refused at start with
// FILE:LINE and ignored, with the old tokens kept, when changed later), TLS
// and mutual TLS with certificates made at test time by the `openssl`
// command, start-up errors naming bad certificate files, the refusal to
// listen on a non-loopback address without authentication, and depositctl's
// --token / $DEPOSITD_TOKEN / --tls-* options.
#include "daemon/auth.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "depositd/v1/service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tools/client_channel.h"
#include "tools/grpc_health_v1.grpc.pb.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A folder under testing::TempDir(), removed at the end.
class TempFolder {
 public:
  TempFolder() {
    std::string tmpl = ::testing::TempDir();
    if (tmpl.empty() || tmpl.back() != '/') tmpl += '/';
    tmpl += "depositd-auth-XXXXXX";
    EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
    path_ = tmpl;
  }
  ~TempFolder() {
    if (std::getenv("DEPOSITD_KEEP_TEST_DIRS") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The token file line of `token`.
std::string TokenLine(const std::string& token, const std::string& rest) {
  return absl::StrCat("sha256:", daemon::Sha256Hex(token), " ", rest, "\n");
}

// Replaces a file atomically, as a configuration tool would.
void WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".new";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(tmp, path);
}

std::shared_ptr<grpc::Channel> Channel(const DaemonHarness& daemon,
                                       tools::ClientChannelOptions options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ch =
      daemon.NewChannel(options);
  EXPECT_TRUE(ch.ok()) << ch.status();
  return ch.ok() ? *ch : nullptr;
}

std::shared_ptr<grpc::Channel> TokenChannel(const DaemonHarness& daemon,
                                            const std::string& token) {
  tools::ClientChannelOptions options;
  options.token = token;
  return Channel(daemon, options);
}

// Readiness.ListShops with a 10 s deadline: any authenticated caller with
// read gets OK.
grpc::Status ListShops(const std::shared_ptr<grpc::Channel>& ch) {
  auto stub = v1::Readiness::NewStub(ch);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ListShopsResponse response;
  return stub->ListShops(&context, v1::ListShopsRequest(), &response);
}

grpc::Status HealthCheck(const std::shared_ptr<grpc::Channel>& ch) {
  grpc::health::v1::Health::Stub stub(ch);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::health::v1::HealthCheckResponse response;
  return stub.Check(&context, grpc::health::v1::HealthCheckRequest(),
                    &response);
}

// Polls `done` until true; the 30 s ceiling only bounds a broken reload.
bool Eventually(const std::function<bool()>& done) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return true;
}

std::unique_ptr<DaemonHarness> MustStart(const DaemonHarness::Options& o) {
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(o);
  EXPECT_TRUE(daemon.ok()) << daemon.status();
  return daemon.ok() ? *std::move(daemon) : nullptr;
}

// ---------------------------------------------------------------------------
// Token file
// ---------------------------------------------------------------------------

TEST(AuthTest, TokenFileChangesTakeEffectWithoutRestart) {
  TempFolder dir;
  const std::string tokens = dir.File("tokens");
  const std::string kOne = "token-one-5b0c1d0f";
  const std::string kTwo = "token-two-9e8a77c2";
  WriteAtomically(
      tokens, "# test tokens\n" + TokenLine(kOne, "tenant=acme roles=read"));
  DaemonHarness::Options options;
  options.token_file = tokens;
  auto daemon = MustStart(options);
  ASSERT_NE(daemon, nullptr);
  EXPECT_THAT(daemon->LogTail(), HasSubstr("authentication on: token file " +
                                           tokens + ", 1 tokens"));

  auto one = TokenChannel(*daemon, kOne);
  auto two = TokenChannel(*daemon, kTwo);
  EXPECT_TRUE(ListShops(one).ok());
  EXPECT_EQ(ListShops(two).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Add a token: it works without a restart.
  WriteAtomically(tokens, TokenLine(kOne, "tenant=acme roles=read") +
                              TokenLine(kTwo, "tenant=globex roles=read"));
  EXPECT_TRUE(Eventually([&] { return ListShops(two).ok(); }))
      << daemon->LogTail();
  EXPECT_TRUE(ListShops(one).ok());
  EXPECT_THAT(daemon->LogTail(), HasSubstr("reloaded: 2 tokens (was 1)"));

  // Remove one: it stops working.
  WriteAtomically(tokens, TokenLine(kTwo, "tenant=globex roles=read"));
  EXPECT_TRUE(Eventually([&] {
    return ListShops(one).error_code() == grpc::StatusCode::UNAUTHENTICATED;
  })) << daemon->LogTail();
  EXPECT_TRUE(ListShops(two).ok());

  // Change a token's roles in place: the new roles apply.
  WriteAtomically(tokens, TokenLine(kTwo, "tenant=globex roles=ingest"));
  EXPECT_TRUE(Eventually([&] {
    return ListShops(two).error_code() == grpc::StatusCode::PERMISSION_DENIED;
  })) << daemon->LogTail();

  // A broken file is reported with FILE:LINE and the tokens in force stay.
  WriteAtomically(tokens, TokenLine(kTwo, "tenant=globex roles=read") +
                              TokenLine(kOne, "tenant=acme roles=reed"));
  EXPECT_TRUE(Eventually([&] {
    return absl::StrContains(daemon->LogTail(),
                             tokens + ":2: unknown role \"reed\"");
  })) << daemon->LogTail();
  EXPECT_THAT(daemon->LogTail(), HasSubstr("keeping the previous 1 tokens"));
  EXPECT_EQ(ListShops(two).error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << "the broken file must not have been applied";
  EXPECT_EQ(ListShops(one).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Fixed again: applied.
  WriteAtomically(tokens, TokenLine(kTwo, "tenant=globex roles=read") +
                              TokenLine(kOne, "tenant=acme roles=read"));
  EXPECT_TRUE(Eventually([&] { return ListShops(one).ok(); }))
      << daemon->LogTail();
  EXPECT_TRUE(ListShops(two).ok());
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(AuthTest, BrokenTokenFileAtStartFailsWithFileAndLine) {
  TempFolder dir;
  const std::string tokens = dir.File("tokens");
  WriteAtomically(tokens, "# ok so far\n" +
                              TokenLine("a-token", "tenant=acme roles=read") +
                              TokenLine("b-token", "roles=read"));
  DaemonHarness::Options options;
  options.token_file = tokens;
  options.start_timeout = absl::Seconds(20);
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_FALSE(daemon.ok());
  EXPECT_THAT(std::string(daemon.status().message()),
              HasSubstr("depositd: " + tokens +
                        ":3: missing tenant=<tenant> (or tenant=* for every "
                        "tenant)"));

  // A token file that does not exist is named too.
  options.token_file = dir.File("no-such-tokens");
  daemon = DaemonHarness::Start(options);
  ASSERT_FALSE(daemon.ok());
  EXPECT_THAT(std::string(daemon.status().message()),
              HasSubstr("cannot read token file " + dir.File("no-such-tokens") +
                        ": No such file or directory"));
}

TEST(AuthTest, WithoutTokenFileAuthIsOffAndSaysLoopbackOnly) {
  auto daemon = MustStart(DaemonHarness::Options());
  ASSERT_NE(daemon, nullptr);
  EXPECT_THAT(daemon->LogTail(),
              HasSubstr("no token file: authentication is off, so depositd "
                        "serves on loopback only (127.0.0.1)"));
  EXPECT_TRUE(ListShops(daemon->channel()).ok());
  // A token is ignored rather than refused when auth is off.
  EXPECT_TRUE(ListShops(TokenChannel(*daemon, "anything")).ok());
  EXPECT_TRUE(daemon->Stop().ok());
}

// ---------------------------------------------------------------------------
// Listening address
// ---------------------------------------------------------------------------

struct ExitResult {
  int exit_code = -1;  // -1: killed after the deadline (it kept running)
  std::string output;
};

// Runs depositd with `args` (stdout and stderr to a file) and waits for it
// to exit; one still running after 30 s is killed (exit_code -1).
ExitResult RunDaemonToExit(const std::vector<std::string>& args,
                           const std::string& output_path) {
  std::vector<std::string> argv_s = {DefaultDaemonBinary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int out =
        open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ExitResult result;
  if (pid < 0) return result;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
      break;
    }
    if (absl::Now() > give_up) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  result.output = ReadFile(output_path);
  return result;
}

// The refusal happens before anything binds, so no test serves on a
// non-loopback address.
TEST(AuthTest, NonLoopbackListenWithoutTokenFileIsRefused) {
  TempFolder dir;
  // "127.x.invalid" starts like a loopback address but is a name that
  // does not resolve: the guard looks at addresses, not text.
  for (const std::string listen :
       {"0.0.0.0:0", "[::]:0", "192.0.2.1:0", "127.anything.invalid:0", ":0"}) {
    SCOPED_TRACE(listen);
    ExitResult r = RunDaemonToExit(
        {"--listen", listen, "--data-dir", dir.File("data"), "--sync=os"},
        dir.File("out.txt"));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_THAT(r.output, HasSubstr("depositd: refusing to listen on " +
                                    listen + " without authentication"));
    EXPECT_THAT(r.output, HasSubstr("--token-file FILE"));
    EXPECT_THAT(r.output, HasSubstr("--insecure-listen-without-auth"));
  }
}

// ---------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------

// Throwaway certificates made with the `openssl` command: a CA, a server
// certificate for 127.0.0.1 and a client certificate signed by it, and a
// second ("rogue") CA with its own client certificate.
struct Certs {
  std::string ca, server_cert, server_key, client_cert, client_key;
  std::string rogue_ca, rogue_client_cert, rogue_client_key;
};

absl::Status Openssl(const std::string& dir, const std::string& args) {
  const std::string cmd =
      absl::StrCat("cd '", dir, "' && openssl ", args, " >>openssl.log 2>&1");
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    return absl::InternalError(absl::StrCat(
        "`openssl ", args,
        "` failed (is openssl installed?): ", ReadFile(dir + "/openssl.log")));
  }
  return absl::OkStatus();
}

absl::StatusOr<Certs> MakeCerts(const std::string& dir) {
  const std::string ec =
      "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  {
    std::ofstream(dir + "/server.ext")
        << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
           "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    std::ofstream(dir + "/client.ext")
        << "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";
  }
  for (const std::string& ca : {"ca", "rogue-ca"}) {
    absl::Status s = Openssl(
        dir, absl::StrCat("req -x509 ", ec, " -days 2 -subj /CN=depositd-test-",
                          ca, " -keyout ", ca, ".key -out ", ca, ".pem"));
    if (!s.ok()) return s;
  }
  struct Leaf {
    std::string name, ca, ext;
  };
  for (const Leaf& leaf :
       {Leaf{"server", "ca", "server.ext"}, Leaf{"client", "ca", "client.ext"},
        Leaf{"rogue-client", "rogue-ca", "client.ext"}}) {
    absl::Status s = Openssl(
        dir, absl::StrCat("req ", ec, " -subj /CN=", leaf.name, " -keyout ",
                          leaf.name, ".key -out ", leaf.name, ".csr"));
    if (!s.ok()) return s;
    s = Openssl(dir, absl::StrCat("x509 -req -days 2 -in ", leaf.name,
                                  ".csr -CA ", leaf.ca, ".pem -CAkey ", leaf.ca,
                                  ".key -CAcreateserial -extfile ", leaf.ext,
                                  " -out ", leaf.name, ".pem"));
    if (!s.ok()) return s;
  }
  Certs c;
  c.ca = dir + "/ca.pem";
  c.server_cert = dir + "/server.pem";
  c.server_key = dir + "/server.key";
  c.client_cert = dir + "/client.pem";
  c.client_key = dir + "/client.key";
  c.rogue_ca = dir + "/rogue-ca.pem";
  c.rogue_client_cert = dir + "/rogue-client.pem";
  c.rogue_client_key = dir + "/rogue-client.key";
  return c;
}

TEST(AuthTest, TlsServesClientsTrustingItsCaOnly) {
  TempFolder dir;
  absl::StatusOr<Certs> certs = MakeCerts(dir.File(""));
  ASSERT_TRUE(certs.ok()) << certs.status();
  DaemonHarness::Options options;
  options.tls_cert = certs->server_cert;
  options.tls_key = certs->server_key;
  options.client.tls_ca_file = certs->ca;
  auto daemon = MustStart(options);  // its health check went over TLS
  ASSERT_NE(daemon, nullptr);
  EXPECT_THAT(daemon->LogTail(), HasSubstr("transport TLS"));
  EXPECT_TRUE(ListShops(daemon->channel()).ok());

  // Plaintext to a TLS port fails.
  EXPECT_FALSE(HealthCheck(Channel(*daemon, {})).ok());
  EXPECT_FALSE(ListShops(Channel(*daemon, {})).ok());
  // So does TLS trusting another CA.
  tools::ClientChannelOptions rogue;
  rogue.tls_ca_file = certs->rogue_ca;
  EXPECT_EQ(HealthCheck(Channel(*daemon, rogue)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(daemon->Stop().ok());
}

// A daemon requiring client certificates from the test CA, with `tokens`,
// and a client presenting one.
DaemonHarness::Options MutualTls(const Certs& certs,
                                 const std::string& tokens) {
  DaemonHarness::Options options;
  options.tls_cert = certs.server_cert;
  options.tls_key = certs.server_key;
  options.tls_client_ca = certs.ca;
  options.token_file = tokens;
  options.client.tls_ca_file = certs.ca;
  options.client.tls_cert_file = certs.client_cert;
  options.client.tls_key_file = certs.client_key;
  return options;
}

TEST(AuthTest, MutualTlsRequiresAClientCertificateFromItsCa) {
  TempFolder dir;
  absl::StatusOr<Certs> certs = MakeCerts(dir.File(""));
  ASSERT_TRUE(certs.ok()) << certs.status();
  const std::string tokens = dir.File("tokens");
  const std::string kToken = "mtls-token-61c0";
  WriteAtomically(tokens, TokenLine(kToken, "tenant=acme roles=read"));
  DaemonHarness::Options options = MutualTls(*certs, tokens);
  options.client.token = kToken;
  auto daemon = MustStart(options);
  ASSERT_NE(daemon, nullptr);
  EXPECT_THAT(daemon->LogTail(),
              HasSubstr("transport mutual TLS (client certificates "
                        "required)"));
  EXPECT_TRUE(ListShops(daemon->channel()).ok());

  tools::ClientChannelOptions no_cert;
  no_cert.tls_ca_file = certs->ca;
  no_cert.token = kToken;
  EXPECT_EQ(ListShops(Channel(*daemon, no_cert)).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  tools::ClientChannelOptions rogue_cert = no_cert;
  rogue_cert.tls_cert_file = certs->rogue_client_cert;
  rogue_cert.tls_key_file = certs->rogue_client_key;
  EXPECT_EQ(ListShops(Channel(*daemon, rogue_cert)).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  // Both layers apply: a good certificate without a token is still refused.
  tools::ClientChannelOptions cert_no_token = options.client;
  cert_no_token.token.clear();
  EXPECT_EQ(ListShops(Channel(*daemon, cert_no_token)).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Health stays open (to certificate holders).
  EXPECT_TRUE(HealthCheck(Channel(*daemon, cert_no_token)).ok());
  EXPECT_TRUE(daemon->Stop().ok());
}

TEST(AuthTest, BadTlsFilesFailTheStartNamingTheFile) {
  TempFolder dir;
  absl::StatusOr<Certs> certs = MakeCerts(dir.File(""));
  ASSERT_TRUE(certs.ok()) << certs.status();
  struct Case {
    std::string cert, key, client_ca, message;
  };
  const std::string missing = dir.File("missing.pem");
  const std::vector<Case> cases = {
      {missing, certs->server_key, "",
       "cannot read --tls-cert " + missing + ": No such file or directory"},
      {certs->server_cert, missing, "",
       "cannot read --tls-key " + missing + ": No such file or directory"},
      {certs->server_cert, certs->client_key, "",
       "--tls-key " + certs->client_key +
           " does not match the certificate in --tls-cert " +
           certs->server_cert},
      {certs->server_key, certs->server_key, "",
       "--tls-cert " + certs->server_key + " holds no PEM certificate"},
      {certs->server_cert, certs->server_key, missing,
       "cannot read --tls-client-ca " + missing},
      {certs->server_cert, "", "", "--tls-cert and --tls-key go together"},
      {"", "", certs->ca, "--tls-client-ca needs --tls-cert and --tls-key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    DaemonHarness::Options options;
    options.tls_cert = c.cert;
    options.tls_key = c.key;
    options.tls_client_ca = c.client_ca;
    options.start_timeout = absl::Seconds(20);
    absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
        DaemonHarness::Start(options);
    ASSERT_FALSE(daemon.ok());
    EXPECT_THAT(std::string(daemon.status().message()),
                HasSubstr("depositd: " + c.message));
  }
}

// ---------------------------------------------------------------------------
// depositctl
// ---------------------------------------------------------------------------

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult RunDepositctl(const std::string& dir,
                            const std::vector<std::string>& args,
                            const std::string& token_env = "") {
  const std::string out_path = dir + "/depositctl-out.txt";
  std::vector<std::string> argv_s = {DEPOSITCTL_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    if (token_env.empty()) {
      unsetenv("DEPOSITD_TOKEN");
    } else {
      setenv("DEPOSITD_TOKEN", token_env.c_str(), 1);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  CommandResult result;
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  result.output = ReadFile(out_path);
  return result;
}

TEST(AuthTest, DepositctlSendsTokenAndSpeaksMutualTls) {
  TempFolder dir;
  absl::StatusOr<Certs> certs = MakeCerts(dir.File(""));
  ASSERT_TRUE(certs.ok()) << certs.status();
  const std::string tokens = dir.File("tokens");
  const std::string kToken = "ctl-token-0a9d";
  WriteAtomically(tokens, TokenLine(kToken, "tenant=* roles=read,admin"));
  DaemonHarness::Options options = MutualTls(*certs, tokens);
  auto daemon = MustStart(options);
  ASSERT_NE(daemon, nullptr);

  const std::vector<std::string> tls = {
      "--addr",     daemon->address(),  "--tls-ca",  certs->ca,
      "--tls-cert", certs->client_cert, "--tls-key", certs->client_key};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = tls;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };

  CommandResult r =
      RunDepositctl(dir.File(""), with({"--token", kToken, "stats"}));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("shops"));

  r = RunDepositctl(dir.File(""), with({"shops"}), kToken);  // $DEPOSITD_TOKEN
  EXPECT_EQ(r.exit_code, 0) << r.output;

  r = RunDepositctl(dir.File(""), with({"shops"}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("UNAUTHENTICATED: no credentials"));

  r = RunDepositctl(dir.File(""), with({"--token", "not-the-token", "shops"}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("UNAUTHENTICATED"));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("not-the-token")));

  // Without the client certificate the handshake fails.
  r = RunDepositctl(dir.File(""), {"--addr", daemon->address(), "--tls-ca",
                                   certs->ca, "--token", kToken, "shops"});
  EXPECT_EQ(r.exit_code, 2) << r.output;

  r = RunDepositctl(dir.File(""), with({"--tls-cert", dir.File("nope.pem"),
                                        "--token", kToken, "shops"}));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("cannot read --tls-cert " + dir.File("nope.pem")));
  EXPECT_TRUE(daemon->Stop().ok());
}

}  // namespace
}  // namespace depositd::integration
