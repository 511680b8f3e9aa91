# The console's server side (included from tests/CMakeLists.txt): the JSON
# API and the console's static files on the real depositd binary. Label
# "console" (plus "integration": it starts depositd).
add_executable(console_api_test console_api_test.cc)
target_link_libraries(console_api_test PRIVATE depositd_test_harness
                      depositd_daemon_lib GTest::gmock GTest::gtest_main)
gtest_discover_tests(console_api_test PROPERTIES TIMEOUT 180
                     DISCOVERY_TIMEOUT 60)
depositd_test_labels(console_api_test "console;integration")
