# Cluster mode on NATS JetStream (included from daemon/CMakeLists.txt).
#   depositd_cluster_plan  pure: partition of a shop, the even plan of
#                          partitions over live nodes. No I/O.
#   depositd_cluster       the edge to NATS (libnats, Debian libnats-dev):
#                          connection, streams and KV buckets, membership
#                          and partition leases, the partition log and its
#                          checkpoints.
# Not linked into depositd yet: the engine's single-node mode is unchanged.
#
# libnats is found through pkg-config: Debian's CMake config for it
# (cnats-config.cmake) names /usr/lib/x86_64-linux-gnu/libprotobuf-c.so,
# which only libprotobuf-c-dev ships, while libnats.so itself needs only
# the runtime libraries.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBNATS REQUIRED IMPORTED_TARGET libnats)  # libnats-dev

add_library(depositd_cluster_plan STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/partition_plan.cc
)
target_include_directories(depositd_cluster_plan PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(depositd_cluster_plan PUBLIC
  absl::flat_hash_map
  absl::strings
)

add_library(depositd_cluster STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/nats_client.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/nats_kv.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/partition_leases.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/jetstream_log.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/jetstream_checkpoints.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/cluster_status.cc
)
target_include_directories(depositd_cluster PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(depositd_cluster PUBLIC
  depositd_cluster_plan
  PkgConfig::LIBNATS
  absl::flat_hash_set
  absl::status
  absl::statusor
  absl::strings
  absl::synchronization
  absl::time
  Threads::Threads
)

# depositd's --cluster-* flags: membership and leases only for now (the
# engine is not wired to the cluster yet). It logs through depositd_store.
add_library(depositd_cluster_node STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/cluster_node.cc
)
target_link_libraries(depositd_cluster_node PUBLIC depositd_cluster
                      depositd_store prometheus-cpp::core)
target_link_libraries(depositd PRIVATE depositd_cluster_node)

if(DEPOSITD_BUILD_TESTS)
  add_executable(daemon_partition_plan_test
                 ${CMAKE_CURRENT_SOURCE_DIR}/partition_plan_test.cc)
  target_link_libraries(daemon_partition_plan_test PRIVATE
                        depositd_cluster_plan GTest::gtest GTest::gtest_main)
  gtest_discover_tests(daemon_partition_plan_test DISCOVERY_TIMEOUT 60)
  depositd_test_labels(daemon_partition_plan_test "cluster")
endif()
