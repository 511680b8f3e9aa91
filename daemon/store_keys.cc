#include "daemon/store_keys.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace depositd::daemon {

std::string EncodeBigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t DecodeBigEndian64(absl::string_view key) {
  if (key.size() != 8) return 0;
  uint64_t v = 0;
  for (unsigned char c : key) v = (v << 8) | c;
  return v;
}

std::string SilenceKey(absl::string_view silence_id) {
  return absl::StrCat(kSilenceKeyPrefix, silence_id);
}

std::string SinkCursorKey(absl::string_view sink_name) {
  return absl::StrCat(kSinkCursorKeyPrefix, sink_name);
}

std::string ConsoleSessionKey(absl::string_view id_sha256_hex) {
  return absl::StrCat(kConsoleSessionKeyPrefix, id_sha256_hex);
}

std::string ConfigVersionKey(uint64_t version) {
  return absl::StrCat(kConfigVersionKeyPrefix, EncodeBigEndian64(version));
}

std::string ShopKey(absl::string_view tenant, absl::string_view shop_id) {
  std::string k;
  AssignShopKey(&k, tenant, shop_id);
  return k;
}

void AssignShopKey(std::string* out, absl::string_view tenant,
                   absl::string_view shop_id) {
  out->reserve(tenant.size() + 1 + shop_id.size());
  out->assign(tenant.data(), tenant.size());
  out->push_back('\0');
  out->append(shop_id.data(), shop_id.size());
}

std::string PageKey(absl::string_view shop_key, uint32_t page) {
  std::string k;
  k.reserve(shop_key.size() + 5);
  k.append(shop_key.data(), shop_key.size());
  k.push_back('\0');
  for (int shift = 24; shift >= 0; shift -= 8) {
    k.push_back(static_cast<char>((page >> shift) & 0xff));
  }
  return k;
}

absl::StatusOr<ShopsKey> ParseShopsKey(absl::string_view key) {
  const size_t sep = key.find('\0');
  if (sep == absl::string_view::npos) {
    return absl::DataLossError("corrupt shop key in checkpoint");
  }
  ShopsKey out;
  out.tenant = key.substr(0, sep);
  out.shop_id = key.substr(sep + 1);
  if (const size_t p = out.shop_id.find('\0');
      p != absl::string_view::npos) {  // PageKey
    const absl::string_view number = out.shop_id.substr(p + 1);
    if (number.size() != 4) {
      return absl::DataLossError(
          absl::StrCat("corrupt page key ", absl::CHexEscape(key)));
    }
    out.page = 0;
    for (char c : number) out.page = (out.page << 8) | static_cast<uint8_t>(c);
    out.shop_id = out.shop_id.substr(0, p);
  }
  out.shop_key = key.substr(0, sep + 1 + out.shop_id.size());
  return out;
}

}  // namespace depositd::daemon
