#include "daemon/rpc_support.h"

namespace depositd::daemon {

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
