// What the daemon leaves on disk and how it treats its token file and
// unauthenticated clients (issue 19), through the real binary:
//   - everything it creates in its data dir is private (0700 directories,
//     0600 files), and a data dir readable by others is refused at start;
//   - a token file writable by others is refused at start;
//   - removing the token file revokes every token within the reload
//     interval (an open Stream at its next batch); restoring it serves
//     them again;
//   - 1,000 unauthenticated garbage requests cost a handful of log lines;
//   - the token is checked before a request's bytes are parsed, on every
//     service: garbage without a valid token is UNAUTHENTICATED, with one
//     INVALID_ARGUMENT.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "daemon/auth.h"
#include "depositd/v1/service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/raw_ingest_client.h"
#include "tests/temp_files.h"
#include "tests/test_events.h"

namespace depositd::integration {
namespace {

using ::testing::HasSubstr;

const char kToken[] = "hardening-token-7c1e93b0";

std::string TokenLine(const std::string& token, const std::string& rest) {
  return absl::StrCat("sha256:", daemon::Sha256Hex(token), " ", rest, "\n");
}

// Polls `done` every 20 ms until true or `limit` passes.
bool Within(absl::Duration limit, const std::function<bool()>& done) {
  const absl::Time give_up = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

grpc::Status ListShops(const std::shared_ptr<grpc::Channel>& ch) {
  auto stub = v1::Readiness::NewStub(ch);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ListShopsResponse response;
  v1::ListShopsRequest request;
  request.set_tenant("acme");
  return stub->ListShops(&context, request, &response);
}

int LineCount(const std::string& text) {
  return static_cast<int>(
      std::vector<absl::string_view>(absl::StrSplit(text, '\n')).size());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(HardeningTest, EverythingTheDaemonCreatesIsPrivate) {
  ScopedTempDir root("depositd-modes");
  const std::string data = root.path() + "/fresh/data";  // created by it
  DaemonHarness::Options options;
  options.sync = "fsync";
  options.extra_args = {"--data-dir=" + data};  // the last one wins
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const ShopEvents shop("acme", "a-1");
  absl::StatusOr<v1::IngestAck> ack =
      Publish((*daemon)->channel(),
              {shop.Registered("e1", "2026-02-01T00:00:00Z", "douyin", "CN"),
               shop.DepositPaid("e2", "2026-02-01T01:00:00Z", "dep-1", 3000000,
                                "CNY", "corporate_account", "corp-A")});
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_TRUE((*daemon)->Stop().ok());  // checkpoint, seal file

  int files = 0;
  for (const std::string& dir : {root.path() + "/fresh", data}) {
    struct stat st;
    ASSERT_EQ(stat(dir.c_str(), &st), 0) << dir;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << dir;
  }
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(data)) {
    struct stat st;
    ASSERT_EQ(lstat(entry.path().c_str(), &st), 0) << entry.path();
    if (S_ISDIR(st.st_mode)) {
      EXPECT_EQ(st.st_mode & 0777, 0700u) << entry.path();
    } else if (S_ISREG(st.st_mode)) {
      ++files;
      EXPECT_EQ(st.st_mode & 077, 0u)
          << entry.path() << " has mode 0" << std::oct << (st.st_mode & 0777);
    }
  }
  EXPECT_GT(files, 3) << "RocksDB files, the seal file and more";
}

TEST(HardeningTest, DataDirReadableByOthersIsRefused) {
  ScopedTempDir root("depositd-modes");
  const std::string data = root.path() + "/shared";
  ASSERT_EQ(mkdir(data.c_str(), 0700), 0);
  ASSERT_EQ(chmod(data.c_str(), 0755), 0);
  DaemonHarness::Options options;
  options.extra_args = {"--data-dir=" + data};
  options.start_timeout = absl::Seconds(20);
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_FALSE(daemon.ok());
  EXPECT_THAT(std::string(daemon.status().message()),
              HasSubstr("refusing the data dir " + data +
                        ": it is readable or writable by other users (mode "
                        "0755)"));
  EXPECT_THAT(std::string(daemon.status().message()),
              HasSubstr("chmod 700 " + data));
}

TEST(HardeningTest, TokenFileWritableByOthersIsRefused) {
  ScopedTempDir root("depositd-tokens");
  const std::string tokens = WriteFile(
      root.path(), "tokens", TokenLine(kToken, "tenant=* roles=read"));
  ASSERT_EQ(chmod(tokens.c_str(), 0666), 0);
  DaemonHarness::Options options;
  options.token_file = tokens;
  options.start_timeout = absl::Seconds(20);
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_FALSE(daemon.ok());
  EXPECT_THAT(
      std::string(daemon.status().message()),
      HasSubstr("token file " + tokens + " is writable by others (mode 0666)"));
  EXPECT_THAT(std::string(daemon.status().message()),
              HasSubstr("chmod go-w " + tokens));
}

TEST(HardeningTest, RemovedTokenFileRevokesEveryTokenUntilRestored) {
  ScopedTempDir root("depositd-tokens");
  const std::string text = TokenLine(kToken, "tenant=* roles=ingest,read");
  const std::string tokens = WriteFile(root.path(), "tokens", text);
  DaemonHarness::Options options;
  options.token_file = tokens;
  options.client.token = kToken;
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto ch = (*daemon)->channel();
  const ShopEvents shop("acme", "a-1");
  const std::vector<v1::Event> events = {
      shop.Registered("e1", "2026-02-01T00:00:00Z", "douyin", "CN")};
  ASSERT_TRUE(ListShops(ch).ok());
  // A stream opened before: acked now, ended at its next batch after.
  const std::vector<v1::Event> streamed = {
      ShopEvents("acme", "a-2")
          .Registered("s1", "2026-02-01T00:00:00Z", "douyin", "CN")};
  RawIngestStream stream(ch);
  ASSERT_TRUE(stream.Write(Batch(1, streamed).SerializeAsString()));
  absl::StatusOr<v1::IngestAck> first = stream.ReadAck();
  ASSERT_TRUE(first.ok()) << first.status();

  std::filesystem::remove(tokens);
  // The reload interval is 1 s; 3 s leave room for a loaded machine.
  EXPECT_TRUE(Within(absl::Seconds(3), [&] {
    return ListShops(ch).error_code() == grpc::StatusCode::UNAUTHENTICATED;
  })) << (*daemon)->LogTail();
  EXPECT_EQ(Publish(ch, events).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_THAT((*daemon)->LogTail(),
              HasSubstr("TOKEN FILE GONE: cannot read token file " + tokens));
  ASSERT_TRUE(stream.Write(Batch(2, streamed).SerializeAsString()));
  const grpc::Status ended = stream.Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << ended.error_message();

  WriteFile(root.path(), "tokens", text);
  EXPECT_TRUE(Within(absl::Seconds(3), [&] { return ListShops(ch).ok(); }))
      << (*daemon)->LogTail();
  absl::StatusOr<v1::IngestAck> ack = Publish(ch, events);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->applied(), 1u);
  EXPECT_TRUE((*daemon)->Stop().ok());
}

TEST(HardeningTest, UnauthenticatedGarbageFloodWritesAHandfulOfLogLines) {
  ScopedTempDir root("depositd-tokens");
  const std::string tokens = WriteFile(
      root.path(), "tokens", TokenLine(kToken, "tenant=* roles=read"));
  DaemonHarness::Options options;
  options.token_file = tokens;
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const int lines_before = LineCount(ReadAll((*daemon)->log_path()));

  tools::ClientChannelOptions wrong;
  wrong.token = "not-a-token";
  absl::StatusOr<std::shared_ptr<grpc::Channel>> wrong_ch =
      (*daemon)->NewChannel(wrong);
  ASSERT_TRUE(wrong_ch.ok()) << wrong_ch.status();
  // Garbage on ingest (raw), and a GetShop whose tenant is not UTF-8, without
  // and with a wrong token: 1,000 requests, all refused before their bytes
  // are parsed.
  const std::string garbage("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
  v1::GetShopRequest get;
  get.set_tenant("@@@@");
  get.set_shop_id("a-1");
  const std::string bad_get = SpoilMarkers(get.SerializeAsString());
  for (int i = 0; i < 250; ++i) {
    for (const auto& ch : {(*daemon)->channel(), *wrong_ch}) {
      v1::IngestAck ack;
      EXPECT_EQ(RawPublish(ch, garbage, &ack).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
      std::string response;
      EXPECT_NE(
          RawUnaryCall(ch, "/depositd.v1.Readiness/GetShop", bad_get, &response)
              .error_code(),
          grpc::StatusCode::OK);
    }
  }
  const std::string log = ReadAll((*daemon)->log_path());
  const int new_lines = LineCount(log) - lines_before;
  EXPECT_LE(new_lines, 5) << (*daemon)->LogTail(20);
  EXPECT_THAT(log, HasSubstr("refused an unauthenticated call from"));
  EXPECT_TRUE((*daemon)->Stop().ok());
}

TEST(HardeningTest, TokenIsCheckedBeforeTheRequestIsParsed) {
  ScopedTempDir root("depositd-tokens");
  const std::string tokens =
      WriteFile(root.path(), "tokens",
                TokenLine(kToken, "tenant=* roles=read,alerts,admin"));
  DaemonHarness::Options options;
  options.token_file = tokens;
  absl::StatusOr<std::unique_ptr<DaemonHarness>> daemon =
      DaemonHarness::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  tools::ClientChannelOptions wrong;
  wrong.token = "not-a-token";
  absl::StatusOr<std::shared_ptr<grpc::Channel>> wrong_ch =
      (*daemon)->NewChannel(wrong);
  ASSERT_TRUE(wrong_ch.ok()) << wrong_ch.status();
  tools::ClientChannelOptions right;
  right.token = kToken;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> right_ch =
      (*daemon)->NewChannel(right);
  ASSERT_TRUE(right_ch.ok()) << right_ch.status();

  // Not a protobuf message at all: a 10-byte varint tag.
  const std::string garbage("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
  const std::vector<std::pair<std::string, std::string>> methods = {
      {"/depositd.v1.Readiness/GetShop", "depositd.v1.GetShopRequest"},
      {"/depositd.v1.Readiness/ListShops", "depositd.v1.ListShopsRequest"},
      {"/depositd.v1.Alerts/List", "depositd.v1.ListAlertsRequest"},
      {"/depositd.v1.Alerts/Acknowledge", "depositd.v1.AcknowledgeRequest"},
      {"/depositd.v1.Admin/GetStats", "depositd.v1.GetStatsRequest"},
      {"/depositd.v1.Admin/SetTestClock", "depositd.v1.SetTestClockRequest"},
  };
  for (const auto& [method, type] : methods) {
    for (const auto& ch : {(*daemon)->channel(), *wrong_ch}) {
      std::string response;
      const grpc::Status s = RawUnaryCall(ch, method, garbage, &response);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << method << ": " << s.error_message();
    }
    std::string response;
    const grpc::Status s = RawUnaryCall(*right_ch, method, garbage, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << method << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("request is not a valid " + type))
        << method;
  }

  // Alerts.Watch (server streaming) alike.
  auto watch = [](const std::shared_ptr<grpc::Channel>& ch,
                  const std::string& bytes) {
    grpc::GenericStub stub(ch);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::CompletionQueue cq;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
        stub.PrepareCall(&context, "/depositd.v1.Alerts/Watch", &cq);
    void* tag;
    bool ok;
    call->StartCall(reinterpret_cast<void*>(1));
    cq.Next(&tag, &ok);
    call->Write(request, reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    call->WritesDone(reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(4));
    cq.Next(&tag, &ok);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return status;
  };
  EXPECT_EQ(watch((*daemon)->channel(), garbage).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(watch(*wrong_ch, garbage).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  const grpc::Status watched = watch(*right_ch, garbage);
  EXPECT_EQ(watched.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << watched.error_message();
  EXPECT_THAT(
      watched.error_message(),
      HasSubstr("request is not a valid depositd.v1.WatchAlertsRequest"));

  // A valid request still works through the raw edge.
  v1::ListAlertsRequest list;
  std::string response;
  EXPECT_TRUE(RawUnaryCall(*right_ch, "/depositd.v1.Alerts/List",
                           list.SerializeAsString(), &response)
                  .ok());
  v1::ListAlertsResponse listed;
  EXPECT_TRUE(listed.ParseFromString(response));
  EXPECT_TRUE((*daemon)->Stop().ok());
}

}  // namespace
}  // namespace depositd::integration
