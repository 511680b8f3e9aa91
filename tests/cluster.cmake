# Cluster mode (included from tests/CMakeLists.txt): label "cluster". The
# tests start real nats-server processes (Debian nats-server) on 127.0.0.1
# with free ports and stop them, also when a test fails.
find_program(DEPOSITD_NATS_SERVER nats-server
             PATHS /usr/sbin /usr/bin NO_DEFAULT_PATH)
if(NOT DEPOSITD_NATS_SERVER)
  message(STATUS "tests: nats-server not found (apt-get install nats-server); "
                 "cluster tests are not built")
  return()
endif()

add_library(depositd_nats_cluster STATIC
            ${CMAKE_CURRENT_SOURCE_DIR}/nats_cluster.cc)
target_include_directories(depositd_nats_cluster
                           PUBLIC ${DEPOSITD_TESTS_SOURCE_ROOT})
target_compile_definitions(depositd_nats_cluster PRIVATE
  DEPOSITD_NATS_SERVER="${DEPOSITD_NATS_SERVER}")
target_link_libraries(depositd_nats_cluster PUBLIC
  GTest::gtest
  absl::status
  absl::statusor
  absl::strings
  absl::time
)

# depositd_cluster_test(name): tests/<name>.cc, linking the harness and
# depositd_cluster.
function(depositd_cluster_test name)
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/${name}.cc)
  target_link_libraries(${name} PRIVATE depositd_nats_cluster depositd_cluster
                        GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} PROPERTIES TIMEOUT 120 DISCOVERY_TIMEOUT 60)
  depositd_test_labels(${name} "cluster")
endfunction()
depositd_cluster_test(cluster_nats_test)
depositd_cluster_test(cluster_leases_test)
depositd_cluster_test(cluster_log_test)
depositd_cluster_test(cluster_checkpoints_test)

# The one command that starts a local 3-node NATS cluster.
add_test(NAME ClusterScripts.StartNatsStartsAThreeNodeCluster
         COMMAND ${DEPOSITD_TESTS_SOURCE_ROOT}/tests/cluster_start_nats_test.sh
                 ${DEPOSITD_TESTS_SOURCE_ROOT})
set_tests_properties(ClusterScripts.StartNatsStartsAThreeNodeCluster
                     PROPERTIES LABELS "cluster" TIMEOUT 120)

# depositd itself with --cluster-*: three daemons on a 3-node NATS cluster
# share the partitions and hand them over on SIGTERM; depositctl cluster
# status reads them.
if(TARGET depositd_test_harness AND TARGET depositctl)
  add_executable(cluster_daemon_test
                 ${CMAKE_CURRENT_SOURCE_DIR}/cluster_daemon_test.cc)
  target_compile_definitions(cluster_daemon_test PRIVATE
    DEPOSITCTL_BINARY="$<TARGET_FILE:depositctl>")
  add_dependencies(cluster_daemon_test depositctl)
  target_link_libraries(cluster_daemon_test PRIVATE depositd_test_harness
                        depositd_nats_cluster depositd_cluster GTest::gmock
                        GTest::gtest_main)
  gtest_discover_tests(cluster_daemon_test PROPERTIES TIMEOUT 180
                       DISCOVERY_TIMEOUT 60)
  depositd_test_labels(cluster_daemon_test "cluster;integration")
endif()

# The one command that starts 3 NATS servers and 3 depositd nodes.
if(TARGET depositd AND TARGET depositctl)
  add_test(NAME ClusterScripts.StartClusterStartsNatsAndThreeNodes
           COMMAND ${DEPOSITD_TESTS_SOURCE_ROOT}/tests/cluster_start_cluster_test.sh
                   ${DEPOSITD_TESTS_SOURCE_ROOT} ${PROJECT_BINARY_DIR})
  set_tests_properties(ClusterScripts.StartClusterStartsNatsAndThreeNodes
                       PROPERTIES LABELS "cluster;integration" TIMEOUT 180)
endif()
