// ShopState's snapshot forms: the whole snapshot (Serialize / Parse), the
// paged head, its order pages (written byte for byte without building the
// message) and its record pages, and their checks.
#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "depositd/store/v1/shop_snapshot.pb.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "watchers/derived_facts.h"
#include "watchers/shop_records.h"
#include "watchers/shop_state.h"
#include "watchers/shop_state_internals.h"

namespace depositd::watchers {
namespace {

constexpr uint32_t kSnapshotVersion = 1;

}  // namespace

namespace {

// Orders [begin, end) of `book` as columns.
void FillOrderColumns(const OrderBook& book, size_t begin, size_t end,
                      store::v1::OrderColumns* oc) {
  const int n = static_cast<int>(end - begin);
  std::string* ids = oc->mutable_ids();
  size_t total = 0;
  for (size_t i = begin; i < end; ++i) total += book.slots[i].id.size();
  ids->reserve(total);
  oc->mutable_id_lengths()->Reserve(n);
  for (size_t i = begin; i < end; ++i) {
    const OrderRecord& r = book.slots[i];
    ids->append(r.id.data(), r.id.size());
    oc->add_id_lengths(static_cast<uint32_t>(r.id.size()));
  }
  for (int k = 0; k < 7; ++k) {
    auto* col = oc->add_milestones()->mutable_at_s();
    col->Reserve(n);
    for (size_t i = begin; i < end; ++i) col->Add(book.slots[i].at_s[k]);
  }
}

// The columns of `oc` agree: seven milestone columns as long as the ids,
// and id lengths that are non-zero and add up to the id bytes.
absl::Status CheckOrderColumns(const store::v1::OrderColumns& oc) {
  const int n = oc.id_lengths_size();
  if (n > 0 && oc.milestones_size() != 7) {
    return absl::DataLossError(
        "shop snapshot: order milestone columns missing");
  }
  for (int k = 0; k < oc.milestones_size(); ++k) {
    if (oc.milestones(k).at_s_size() != n) {
      return absl::DataLossError(
          "shop snapshot: order columns differ in length");
    }
  }
  size_t total = 0;
  for (int i = 0; i < n; ++i) {
    const uint32_t len = oc.id_lengths(i);
    if (len == 0 || len > oc.ids().size() - total) {
      return absl::DataLossError(
          "shop snapshot: order id lengths do not fit the ids");
    }
    total += len;
  }
  if (total != oc.ids().size()) {
    return absl::DataLossError("shop snapshot: trailing order id bytes");
  }
  return absl::OkStatus();
}

// Adds the orders of `oc` (a snapshot's or a page's) after those of `in`.
absl::Status AddOrderColumns(ShopStateInternals& in,
                             const store::v1::OrderColumns& oc) {
  const int n = oc.id_lengths_size();
  if (absl::Status s = CheckOrderColumns(oc); !s.ok()) return s;
  // Grow the slots geometrically: a big shop arrives as hundreds of pages,
  // and an exact reserve per page would copy its orders once per page.
  const size_t need = in.orders.slots.size() + static_cast<size_t>(n);
  if (need > in.orders.slots.capacity()) {
    in.orders.slots.reserve(std::max(need, 2 * in.orders.slots.capacity()));
  }
  in.orders.by_id.reserve(need);  // absl rounds up to a power of two
  // The prefix all ids share, known up front so that no insertion below
  // has to shrink it (CheckOrderColumns proved the lengths fit the ids).
  const absl::string_view ids = oc.ids();
  size_t prefix = std::numeric_limits<size_t>::max();
  for (size_t i = 0, at = 0; i < static_cast<size_t>(n); ++i) {
    const uint32_t len = oc.id_lengths(static_cast<int>(i));
    prefix = std::min(prefix, CommonPrefix(ids.substr(at, len),
                                           ids.substr(0, oc.id_lengths(0))));
    at += len;
  }
  const bool first = in.orders.slots.empty();
  size_t offset = 0;
  for (int i = 0; i < n; ++i) {
    const uint32_t len = oc.id_lengths(i);
    int64_t at[7];
    for (int k = 0; k < 7; ++k) at[k] = oc.milestones(k).at_s(i);
    if (!InsertOrder(in.orders, ids.substr(offset, len), at)) {
      return absl::DataLossError("shop snapshot: duplicate order id");
    }
    if (first && i == 0 && prefix < in.orders.common_prefix) {
      ShrinkCommonPrefix(in.orders, prefix);  // one order: O(1)
    }
    offset += len;
  }
  return absl::OkStatus();
}

}  // namespace

std::string ShopState::Serialize() const { return SerializeImpl(false); }
std::string ShopState::SerializeHead() const { return SerializeImpl(true); }

// store.v1.OrderColumns written directly, byte for byte what the message's
// own serializer writes (field order; packed varints; an empty field left
// out; seven Milestones always present), sized first and then written
// into place: a checkpoint slice writes every changed page of a busy shop
// (bench/RESULTS.md: 71-79 us a page through the message, 35-45 us in
// place). The varints and zigzag are protobuf's own helpers.
std::string ShopState::SerializeOrderPage(uint32_t page) const {
  using google::protobuf::internal::WireFormatLite;
  using google::protobuf::io::CodedOutputStream;
  auto size = [](uint64_t v) { return CodedOutputStream::VarintSize64(v); };
  auto put = [](uint64_t v, uint8_t* p) {
    return CodedOutputStream::WriteVarint64ToArray(v, p);
  };
  const OrderBook& book = in_->orders;
  const size_t begin =
      std::min<size_t>(size_t{page} * kOrderPageSlots, book.slots.size());
  const size_t end = std::min(begin + kOrderPageSlots, book.slots.size());
  size_t ids_len = 0;
  size_t lengths_len = 0;
  size_t column_len[7] = {0, 0, 0, 0, 0, 0, 0};
  for (size_t i = begin; i < end; ++i) {
    const OrderRecord& r = book.slots[i];
    ids_len += r.id.size();
    lengths_len += size(r.id.size());
    for (int k = 0; k < 7; ++k)
      column_len[k] += size(WireFormatLite::ZigZagEncode64(r.at_s[k]));
  }
  size_t total = 0;
  if (ids_len > 0) total += 1 + size(ids_len) + ids_len;
  if (lengths_len > 0) total += 1 + size(lengths_len) + lengths_len;
  size_t message_len[7];
  for (int k = 0; k < 7; ++k) {
    message_len[k] =
        column_len[k] > 0 ? 1 + size(column_len[k]) + column_len[k] : 0;
    total += 1 + size(message_len[k]) + message_len[k];
  }
  std::string out(total, '\0');
  uint8_t* p = reinterpret_cast<uint8_t*>(out.data());
  if (ids_len > 0) {
    *p++ = 0x0a;  // ids = 1, bytes
    p = put(ids_len, p);
    for (size_t i = begin; i < end; ++i) {
      const absl::string_view id = book.slots[i].id;
      std::memcpy(p, id.data(), id.size());
      p += id.size();
    }
  }
  if (lengths_len > 0) {
    *p++ = 0x12;  // id_lengths = 2, packed
    p = put(lengths_len, p);
    for (size_t i = begin; i < end; ++i) {
      p = put(book.slots[i].id.size(), p);
    }
  }
  for (int k = 0; k < 7; ++k) {
    *p++ = 0x1a;  // milestones = 3, a Milestones message
    p = put(message_len[k], p);
    if (column_len[k] == 0) continue;
    *p++ = 0x0a;  // at_s = 1, packed sint64
    p = put(column_len[k], p);
    for (size_t i = begin; i < end; ++i) {
      p = put(WireFormatLite::ZigZagEncode64(book.slots[i].at_s[k]), p);
    }
  }
  assert(p == reinterpret_cast<uint8_t*>(out.data()) + out.size());
  return out;
}

namespace {

// store.v1.RecordPage of slots r*kRecordPageSlots onwards.
std::string SerializeRecordPage(const ShopStateInternals& in, uint32_t r) {
  const RecordBook& rb = in.records;
  const size_t begin =
      std::min<size_t>(size_t{r} * kRecordPageSlots, rb.slots.size());
  const size_t end = std::min(begin + kRecordPageSlots, rb.slots.size());
  google::protobuf::Arena arena;
  auto& page =
      *google::protobuf::Arena::CreateMessage<store::v1::RecordPage>(&arena);
  for (size_t i = begin; i < end; ++i) {
    const auto& slot = rb.slots[i];
    const auto kind = slot.first;
    const auto& id = slot.second;  // named: lambdas cannot capture bindings
    page.add_kinds(kind);
    VisitRecordKind(kind, [&](auto traits) {
      using T = decltype(traits);
      *T::Mutable(page)->Add() = T::Map(in).at(id);
    });
  }
  return page.SerializeAsString();
}

}  // namespace

std::string ShopState::SerializePage(uint32_t page) const {
  return page >= kRecordPageBase
             ? SerializeRecordPage(*in_, page - kRecordPageBase)
             : SerializeOrderPage(page);
}

std::vector<uint32_t> ShopState::TakeDirtyPages() {
  std::vector<uint32_t> out = in_->orders.dirty.Take();
  for (uint32_t r : in_->records.dirty.Take()) {
    out.push_back(kRecordPageBase + r);
  }
  return out;
}

void ShopState::ForgetDirtyPages() { (void)TakeDirtyPages(); }

std::vector<uint32_t> ShopState::Pages() const {
  std::vector<uint32_t> out;
  const uint32_t orders = order_pages();
  const uint32_t records = record_pages();
  out.reserve(orders + records);
  for (uint32_t p = 0; p < orders; ++p) out.push_back(p);
  for (uint32_t r = 0; r < records; ++r) out.push_back(kRecordPageBase + r);
  return out;
}

uint32_t ShopState::pages_expected() const {
  return in_->orders.pages_expected + in_->records.pages_expected;
}

uint32_t ShopState::PageAt(uint32_t index) const {
  const uint32_t orders = in_->orders.pages_expected;
  return index < orders ? index : kRecordPageBase + (index - orders);
}

uint32_t ShopState::order_pages_expected() const {
  return in_->orders.pages_expected;
}

uint32_t ShopState::order_pages() const {
  return static_cast<uint32_t>(
      (in_->orders.slots.size() + kOrderPageSlots - 1) / kOrderPageSlots);
}

uint32_t ShopState::record_pages() const { return in_->records.pages(); }

namespace {

// Parses page `page` of a shop with `pages_expected` pages onto `arena`
// and checks its order count (full pages but the last, which is not empty).
absl::StatusOr<const store::v1::OrderColumns*> ParseOrderPage(
    uint32_t page, uint32_t pages_expected, absl::string_view bytes,
    google::protobuf::Arena* arena) {
  auto* oc =
      google::protobuf::Arena::CreateMessage<store::v1::OrderColumns>(arena);
  if (!oc->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("order page ", page, " does not parse"));
  }
  const bool last = page + 1 == pages_expected;
  if (oc->id_lengths_size() == 0 ||
      (!last && oc->id_lengths_size() != static_cast<int>(kOrderPageSlots)) ||
      oc->id_lengths_size() > static_cast<int>(kOrderPageSlots)) {
    return absl::DataLossError(absl::StrCat("order page ", page, " holds ",
                                            oc->id_lengths_size(), " orders"));
  }
  return oc;
}

// Parses record page `r` of a shop with `pages_expected` record pages onto
// `arena` and checks that its lists agree with its kinds and its record
// count (full pages but the last, which is not empty).
absl::StatusOr<const store::v1::RecordPage*> ParseRecordPage(
    uint32_t r, uint32_t pages_expected, absl::string_view bytes,
    google::protobuf::Arena* arena) {
  if (r >= pages_expected) {
    return absl::DataLossError(absl::StrCat(
        "record page ", r, " of a shop with ", pages_expected, " pages"));
  }
  auto* page =
      google::protobuf::Arena::CreateMessage<store::v1::RecordPage>(arena);
  if (!page->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("record page ", r, " does not parse"));
  }
  int count[6] = {0, 0, 0, 0, 0, 0};
  for (uint32_t kind : page->kinds()) {
    if (kind < kPaymentKind || kind > kDisputeKind) {
      return absl::DataLossError(absl::StrCat(
          "record page ", r, " names an unknown record kind ", kind));
    }
    ++count[kind];
  }
  bool lists_agree = true;
  ForEachRecordKind([&](auto traits) {
    using T = decltype(traits);
    lists_agree &= count[T::kKind] == T::Of(*page).size();
  });
  if (!lists_agree) {
    return absl::DataLossError(absl::StrCat(
        "record page ", r, ": its record lists disagree with its kinds"));
  }
  const int n = page->kinds_size();
  const bool last = r + 1 == pages_expected;
  if (n == 0 || (!last && n != static_cast<int>(kRecordPageSlots)) ||
      n > static_cast<int>(kRecordPageSlots)) {
    return absl::DataLossError(
        absl::StrCat("record page ", r, " holds ", n, " records"));
  }
  return page;
}

template <typename Map, typename Record>
absl::Status AddRecord(ShopStateInternals& in, Map& records, RecordKind kind,
                       const Record& rec) {
  if (!records.try_emplace(rec.id(), rec).second) {
    return absl::DataLossError(
        absl::StrCat("record page: record ", rec.id(), " appears twice"));
  }
  in.records.SlotOf(kind, rec.id());  // a new one: the next slot
  return absl::OkStatus();
}

absl::Status AddRecordPage(ShopStateInternals& in, uint32_t r,
                           absl::string_view bytes) {
  RecordBook& rb = in.records;
  if (r >= rb.pages_expected ||
      rb.slots.size() != size_t{r} * kRecordPageSlots) {
    return absl::DataLossError(
        absl::StrCat("record page ", r, " of a shop with ", rb.pages_expected,
                     " pages arrived after ", rb.slots.size(), " records"));
  }
  google::protobuf::Arena arena;
  absl::StatusOr<const store::v1::RecordPage*> parsed =
      ParseRecordPage(r, rb.pages_expected, bytes, &arena);
  if (!parsed.ok()) return parsed.status();
  const store::v1::RecordPage& page = **parsed;
  int next[6] = {0, 0, 0, 0, 0, 0};
  for (uint32_t kind : page.kinds()) {
    const int i = next[kind]++;
    absl::Status s;
    VisitRecordKind(static_cast<RecordKind>(kind), [&](auto traits) {
      using T = decltype(traits);
      s = AddRecord(in, T::Map(in), T::kKind, T::Of(page).Get(i));
    });
    if (!s.ok()) return s;
  }
  // The derived facts count every record: complete with the last page.
  if (r + 1 == rb.pages_expected) in.derived = DeriveFacts(in);
  return absl::OkStatus();
}

}  // namespace

absl::Status ShopState::AddPage(uint32_t page, absl::string_view bytes) {
  return page >= kRecordPageBase
             ? AddRecordPage(*in_, page - kRecordPageBase, bytes)
             : AddOrderPage(page, bytes);
}

absl::Status ShopState::CheckPage(uint32_t page,
                                  absl::string_view bytes) const {
  if (page < kRecordPageBase) {
    return CheckOrderPage(page, in_->orders.pages_expected, bytes);
  }
  google::protobuf::Arena arena;
  return ParseRecordPage(page - kRecordPageBase, in_->records.pages_expected,
                         bytes, &arena)
      .status();
}

absl::Status ShopState::AddOrderPage(uint32_t page, absl::string_view bytes) {
  ShopStateInternals& in = *in_;
  const size_t have = in.orders.slots.size();
  if (page >= in.orders.pages_expected ||
      have != size_t{page} * kOrderPageSlots) {
    return absl::DataLossError(absl::StrCat(
        "order page ", page, " of a shop with ", in.orders.pages_expected,
        " pages arrived after ", have, " orders"));
  }
  google::protobuf::Arena arena;
  absl::StatusOr<const store::v1::OrderColumns*> oc =
      ParseOrderPage(page, in.orders.pages_expected, bytes, &arena);
  if (!oc.ok()) return oc.status();
  return AddOrderColumns(in, **oc);
}

absl::Status ShopState::CheckOrderPage(uint32_t page, uint32_t pages_expected,
                                       absl::string_view bytes) {
  if (page >= pages_expected) {
    return absl::DataLossError(absl::StrCat(
        "order page ", page, " of a shop with ", pages_expected, " pages"));
  }
  google::protobuf::Arena arena;
  absl::StatusOr<const store::v1::OrderColumns*> oc =
      ParseOrderPage(page, pages_expected, bytes, &arena);
  if (!oc.ok()) return oc.status();
  return CheckOrderColumns(**oc);
}

std::string ShopState::SerializeImpl(bool paged) const {
  const ShopStateInternals& in = *in_;
  store::v1::ShopSnapshot s;
  s.set_version(kSnapshotVersion);
  s.set_tenant(in.tenant);
  s.set_shop_id(in.shop_id);
  s.set_events_applied(in.events_applied);
  s.set_profile(in.profile);
  s.set_site(in.site);
  s.set_legal_entity_id(in.legal_entity_id);
  s.set_entity_last_closed_at(in.entity_last_closed_at);
  s.set_registered_at(in.registered_at);
  for (const auto& [t, type] : in.lifecycle) {
    s.add_lifecycle_at(t);
    s.add_lifecycle_type(type);
    auto id = in.lifecycle_event_ids.find({t, type});
    s.add_lifecycle_event_id(id == in.lifecycle_event_ids.end() ? ""
                                                                : id->second);
  }
  s.set_last_sale_at(in.last_sale_at);
  if (paged) {
    s.set_order_pages(order_pages());
  } else {
    FillOrderColumns(in.orders, 0, in.orders.slots.size(), s.mutable_orders());
  }
  if (paged && in.records.paged()) {
    s.set_record_pages(record_pages());
  } else {
    ForEachRecordKind([&](auto traits) {
      using T = decltype(traits);
      for (const auto& [id, v] : T::Map(in)) *T::Mutable(s)->Add() = v;
    });
  }
  for (const auto& [id, v] : in.violations) *s.add_violations() = v;
  for (const auto& [id, v] : in.requirements) *s.add_requirements() = v;
  for (const auto& [id, v] : in.clawbacks_paid) *s.add_clawbacks_paid() = v;
  s.set_refund_channel(in.refund_channel);
  s.set_refund_account(in.refund_account);
  s.set_refund_currency(in.refund_currency);
  s.set_refund_account_set_at(in.refund_account_set_at);
  s.set_frozen_at(in.frozen_at);
  s.set_unfrozen_at(in.unfrozen_at);
  s.set_freeze_violation_id(in.freeze_violation_id);
  s.set_freeze_reason(in.freeze_reason);
  for (const auto& [name, v] : in.metrics) {
    store::v1::MetricRecord* m = s.add_metrics();
    m->set_name(name);
    m->set_value(v.first);
    m->set_at(v.second);
  }
  s.set_feed_state(in.feed_state);
  s.set_feed_expires_at(in.feed_expires_at);
  s.set_feed_state_at(in.feed_state_at);
  return s.SerializeAsString();
}

absl::StatusOr<ShopState> ShopState::Parse(absl::string_view bytes) {
  // On an arena: a snapshot is many small strings and records that are all
  // dropped at the end of Parse, and a start parses every shop (without it,
  // malloc, free and the destructor were half of the time).
  google::protobuf::Arena arena;
  store::v1::ShopSnapshot& s =
      *google::protobuf::Arena::CreateMessage<store::v1::ShopSnapshot>(&arena);
  if (!s.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("shop snapshot does not parse");
  }
  if (s.version() != kSnapshotVersion) {
    return absl::DataLossError(absl::StrCat(
        "shop snapshot version ", s.version(), " is not ", kSnapshotVersion));
  }
  if (s.lifecycle_at_size() != s.lifecycle_type_size()) {
    return absl::DataLossError(
        "shop snapshot: lifecycle columns differ in length");
  }
  ShopState state(s.tenant(), s.shop_id());
  ShopStateInternals& in = *state.in_;
  in.events_applied = s.events_applied();
  in.profile = s.profile();
  in.site = s.site();
  in.legal_entity_id = s.legal_entity_id();
  in.entity_last_closed_at = s.entity_last_closed_at();
  in.registered_at = s.registered_at();
  const bool lifecycle_ids =
      s.lifecycle_event_id_size() == s.lifecycle_at_size();
  for (int i = 0; i < s.lifecycle_at_size(); ++i) {
    in.lifecycle.insert({s.lifecycle_at(i), s.lifecycle_type(i)});
    if (lifecycle_ids && !s.lifecycle_event_id(i).empty()) {
      in.lifecycle_event_ids[{s.lifecycle_at(i), s.lifecycle_type(i)}] =
          s.lifecycle_event_id(i);
    }
  }
  in.last_sale_at = s.last_sale_at();
  if (s.order_pages() > 0 && s.orders().id_lengths_size() > 0) {
    return absl::DataLossError(
        "shop snapshot: both inline orders and order pages");
  }
  in.orders.pages_expected = s.order_pages();
  if (absl::Status o = AddOrderColumns(in, s.orders()); !o.ok()) return o;
  if (s.record_pages() > 0) {
    int inline_records = 0;
    ForEachRecordKind(
        [&](auto traits) { inline_records += decltype(traits)::Of(s).size(); });
    if (inline_records > 0) {
      return absl::DataLossError(
          "shop snapshot: both inline records and record pages");
    }
    in.records.pages_expected = s.record_pages();
  }
  ForEachRecordKind([&](auto traits) {
    using T = decltype(traits);
    auto& records = T::Map(in);
    for (const auto& v : T::Of(s)) records[v.id()] = v;
  });
  for (const auto& v : s.violations()) in.violations[v.id()] = v;
  for (const auto& v : s.requirements()) in.requirements[v.kind()] = v;
  for (const auto& v : s.clawbacks_paid()) in.clawbacks_paid[v.id()] = v;
  in.refund_channel = s.refund_channel();
  in.refund_account = s.refund_account();
  in.refund_currency = s.refund_currency();
  in.refund_account_set_at = s.refund_account_set_at();
  in.frozen_at = s.frozen_at();
  in.unfrozen_at = s.unfrozen_at();
  in.freeze_violation_id = s.freeze_violation_id();
  in.freeze_reason = s.freeze_reason();
  for (const auto& m : s.metrics()) in.metrics[m.name()] = {m.value(), m.at()};
  in.feed_state = s.feed_state();
  in.feed_expires_at = s.feed_expires_at();
  in.feed_state_at = s.feed_state_at();
  in.derived = DeriveFacts(in);
  if (!in.records.paged() && PagedRecordCount(in) > kRecordsInHead) {
    // An unpaged snapshot of a shop with many records: the next checkpoint
    // moves them to pages.
    SlotAllRecords(in);
  }
  return state;
}

}  // namespace depositd::watchers
