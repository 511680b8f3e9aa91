#include "common/encodings.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace depositd::common {
namespace {

// The RFC 4648 vectors that notifier/payload_test.cc held for the OpenSSL
// EVP_EncodeBlock wrapper this replaced: DingTalk's and Feishu's signatures
// are the standard alphabet with '=' padding.
TEST(EncodingsTest, AbslBase64IsRfc4648StandardPadded) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {"\xff\xfe", "//4="}};
  for (const auto& [in, want] : cases) {
    EXPECT_EQ(absl::Base64Escape(in), want) << in;
  }
}

// Likewise for the hand-written lower-case hex encoders it replaced
// (X-Depositd-Signature, the token file's sha256: digests).
TEST(EncodingsTest, AbslHexIsLowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(absl::BytesToHexString(std::string("\x00\x0f\xab\xff", 4)),
            "000fabff");
  EXPECT_EQ(absl::BytesToHexString(""), "");
}

TEST(EncodingsTest, PercentEncodeKeepsUnreservedOnly) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a+b/c=d e&"), "a%2Bb%2Fc%3Dd%20e%26");
  EXPECT_EQ(PercentEncode("店"), "%E5%BA%97");
  EXPECT_EQ(PercentEncode(std::string("\x00\xff", 2)), "%00%FF");
}

TEST(EncodingsTest, HexToBytesChecksItsInput) {
  EXPECT_EQ(HexToBytes("000fabff"), std::string("\x00\x0f\xab\xff", 4));
  EXPECT_EQ(HexToBytes("ABff"), std::string("\xab\xff", 2));
  EXPECT_EQ(HexToBytes(""), std::string());
  EXPECT_EQ(HexToBytes("abc"), std::nullopt);  // odd length
  EXPECT_EQ(HexToBytes("0g"), std::nullopt);   // not a digit
  EXPECT_EQ(HexToBytes("0 "), std::nullopt);   // nor a space
  EXPECT_EQ(HexToBytes("-1"), std::nullopt);
}

}  // namespace
}  // namespace depositd::common
