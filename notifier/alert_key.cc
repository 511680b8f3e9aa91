#include "notifier/alert_key.h"

#include "absl/strings/str_cat.h"

namespace depositd::notifier {

bool AlertKeyLess(const v1::AlertKey& a, const v1::AlertKey& b) {
  // Inside one book tenant and shop are equal, so compare them last.
  if (a.kind() != b.kind()) return a.kind() < b.kind();
  if (int c = a.subject().compare(b.subject()); c != 0) return c < 0;
  if (int c = a.tenant().compare(b.tenant()); c != 0) return c < 0;
  return a.shop_id() < b.shop_id();
}

bool AlertKeyEqual(const v1::AlertKey& a, const v1::AlertKey& b) {
  return a.kind() == b.kind() && a.subject() == b.subject() &&
         a.shop_id() == b.shop_id() && a.tenant() == b.tenant();
}

std::string AlertKeyString(const v1::AlertKey& key) {
  std::string out = absl::StrCat(key.tenant(), "/", key.shop_id(), "/",
                                 v1::AlertKind_Name(key.kind()));
  if (!key.subject().empty()) absl::StrAppend(&out, "/", key.subject());
  return out;
}

}  // namespace depositd::notifier
