# The native feeds through the real binary (included from
# tests/CMakeLists.txt): labels feeds and integration.
add_executable(feeds_e2e_test ${CMAKE_CURRENT_SOURCE_DIR}/feeds_e2e_test.cc)
target_link_libraries(feeds_e2e_test PRIVATE depositd_test_harness
                      depositd_feeds GTest::gmock
                      GTest::gtest_main)
gtest_discover_tests(feeds_e2e_test PROPERTIES TIMEOUT 180
                     DISCOVERY_TIMEOUT 60)
depositd_test_labels(feeds_e2e_test "feeds;integration")
