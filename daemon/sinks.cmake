# Alert delivery to sinks (included from daemon/CMakeLists.txt).
#
# depositd_http_client: the libcurl wrapper, a library of its own so that
# tests can query HTTP APIs (Alertmanager's) with it too.
# depositd_sinks: the dispatcher (one worker per sink, reading the alert log
# from its cursor); part of depositd_daemon_lib.
find_package(CURL REQUIRED)

add_library(depositd_http_client STATIC ${CMAKE_CURRENT_SOURCE_DIR}/http_client.cc)
target_include_directories(depositd_http_client PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(depositd_http_client PUBLIC
  CURL::libcurl
  absl::strings
  absl::time
)

add_library(depositd_sinks STATIC ${CMAKE_CURRENT_SOURCE_DIR}/sink_dispatcher.cc)
target_link_libraries(depositd_sinks PUBLIC
  depositd_engine
  depositd_http_client
  CURL::libcurl
  absl::random_random
)
target_link_libraries(depositd_daemon_lib PUBLIC depositd_sinks)

if(DEPOSITD_BUILD_TESTS)
  # Unit tests of the dispatcher against a real store and the test HTTP
  # receiver (no daemon process).
  add_executable(sink_dispatcher_test
    ${CMAKE_CURRENT_SOURCE_DIR}/sink_dispatcher_test.cc
    ${PROJECT_SOURCE_DIR}/tests/http_receiver.cc)
  target_link_libraries(sink_dispatcher_test PRIVATE depositd_sinks
                        GTest::gmock GTest::gtest GTest::gtest_main)
  gtest_discover_tests(sink_dispatcher_test PROPERTIES LABELS "alerts"
                       DISCOVERY_TIMEOUT 60)

  add_executable(http_client_test
    ${CMAKE_CURRENT_SOURCE_DIR}/http_client_test.cc
    ${PROJECT_SOURCE_DIR}/tests/http_receiver.cc)
  target_link_libraries(http_client_test PRIVATE depositd_http_client
                        absl::status absl::statusor absl::synchronization
                        Threads::Threads GTest::gmock GTest::gtest
                        GTest::gtest_main)
  gtest_discover_tests(http_client_test PROPERTIES LABELS "alerts"
                       DISCOVERY_TIMEOUT 60)
endif()
