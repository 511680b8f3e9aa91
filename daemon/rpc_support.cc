#include "daemon/rpc_support.h"

namespace depositd::daemon {

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

absl::StatusOr<Principal> Authorize(const Authorizer* auth,
                                    const grpc::CallbackServerContext* ctx,
                                    std::initializer_list<Role> roles,
                                    absl::string_view rpc) {
  if (auth == nullptr) return Principal::Unrestricted();
  absl::StatusOr<Principal> p = auth->Authenticate(*ctx);
  if (!p.ok()) return p.status();
  if (absl::Status s = RequireRole(*p, roles, rpc); !s.ok()) return s;
  return p;
}

}  // namespace depositd::daemon
