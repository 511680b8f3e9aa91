#include "common/json.h"

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"

namespace depositd::common {
namespace {

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";

// Resolves the generated messages' types; stateless, so one serves every
// thread (as protobuf's own MessageToJsonString does).
google::protobuf::util::TypeResolver& GeneratedTypes() {
  static google::protobuf::util::TypeResolver* const resolver =
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          kTypeUrlPrefix, google::protobuf::DescriptorPool::generated_pool());
  return *resolver;
}

}  // namespace

absl::StatusOr<std::string> MessageToJson(
    const google::protobuf::Message& message) {
  std::string binary;
  {
    google::protobuf::io::StringOutputStream stream(&binary);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    if (!message.SerializeToCodedStream(&out)) {
      return absl::InternalError(absl::StrCat("cannot serialize ",
                                              message.GetTypeName(),
                                              " (a required field unset?)"));
    }
  }
  std::string json;
  const auto status = google::protobuf::util::BinaryToJsonString(
      &GeneratedTypes(),
      absl::StrCat(kTypeUrlPrefix, "/", message.GetDescriptor()->full_name()),
      binary, &json);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print ",
                                            message.GetTypeName(),
                                            " as JSON: ", status.ToString()));
  }
  return json;
}

}  // namespace depositd::common
