# Alert delivery tests (included at the end of tests/CMakeLists.txt): the real
# depositd delivering to a local HTTP receiver (alert_delivery_test), to
# receivers answering like the chat robots (robot_delivery_test) and to a
# real prometheus-alertmanager (alertmanager_e2e_test).
if(NOT TARGET depositd_http_client)
  message(STATUS "tests: no depositd_http_client (daemon/sinks.cmake); "
                 "alert delivery tests are not built")
  return()
endif()
find_package(OpenSSL REQUIRED)

add_library(depositd_http_receiver STATIC http_receiver.cc)
target_include_directories(depositd_http_receiver
                           PUBLIC ${DEPOSITD_TESTS_SOURCE_ROOT})
target_link_libraries(depositd_http_receiver PUBLIC
  absl::status
  absl::statusor
  absl::strings
  absl::synchronization
  absl::time
  Threads::Threads
)

add_executable(alert_delivery_test alert_delivery_test.cc)
target_link_libraries(alert_delivery_test PRIVATE
  depositd_test_harness
  depositd_http_receiver
  OpenSSL::Crypto
  GTest::gmock
  GTest::gtest_main
)
gtest_discover_tests(alert_delivery_test PROPERTIES TIMEOUT 120
                     DISCOVERY_TIMEOUT 60)
depositd_test_labels(alert_delivery_test "alerts;integration")

add_executable(robot_delivery_test robot_delivery_test.cc)
target_link_libraries(robot_delivery_test PRIVATE
  depositd_test_harness
  depositd_http_receiver
  GTest::gmock
  GTest::gtest_main
)
gtest_discover_tests(robot_delivery_test PROPERTIES TIMEOUT 120
                     DISCOVERY_TIMEOUT 60)
depositd_test_labels(robot_delivery_test "alerts;integration")

add_executable(alertmanager_e2e_test alertmanager_e2e_test.cc)
target_compile_definitions(alertmanager_e2e_test PRIVATE
  ALERTMANAGER_BINARY="/usr/bin/prometheus-alertmanager")
target_link_libraries(alertmanager_e2e_test PRIVATE
  depositd_test_harness
  depositd_http_receiver
  depositd_http_client
  protobuf::libprotobuf
  GTest::gmock
  GTest::gtest_main
)
gtest_discover_tests(alertmanager_e2e_test PROPERTIES TIMEOUT 120
                     DISCOVERY_TIMEOUT 60)
depositd_test_labels(alertmanager_e2e_test "alerts;integration")
