# The native platform feeds on the HTTP edge (included from
# daemon/CMakeLists.txt): configuration, receivers and their counters.
target_sources(depositd_daemon_lib PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/feed_config.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/feed_metrics.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/feed_receivers.cc
)
target_link_libraries(depositd_daemon_lib PUBLIC depositd_feeds)

if(DEPOSITD_BUILD_TESTS)
  # Secrets from files, defaults and limits.
  add_executable(daemon_feed_config_test
                 ${CMAKE_CURRENT_SOURCE_DIR}/feed_config_test.cc)
  target_link_libraries(daemon_feed_config_test PRIVATE depositd_daemon_lib
                        GTest::gmock GTest::gtest GTest::gtest_main)
  gtest_discover_tests(daemon_feed_config_test DISCOVERY_TIMEOUT 60)
  depositd_test_labels(daemon_feed_config_test "feeds")
  # In-process: the receivers with a fake ingest (timeouts, 5xx, answers).
  add_executable(daemon_feed_receivers_test
                 ${CMAKE_CURRENT_SOURCE_DIR}/feed_receivers_test.cc)
  target_link_libraries(daemon_feed_receivers_test PRIVATE depositd_daemon_lib
                        GTest::gmock GTest::gtest GTest::gtest_main)
  gtest_discover_tests(daemon_feed_receivers_test DISCOVERY_TIMEOUT 60)
  depositd_test_labels(daemon_feed_receivers_test "feeds")
endif()
