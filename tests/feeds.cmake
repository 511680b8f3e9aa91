# The native feeds through the real binary (included from
# tests/CMakeLists.txt): labels feeds and integration; the kill -9 tests
# (FeedsCrashTest) crash too.
add_executable(feeds_e2e_test ${CMAKE_CURRENT_SOURCE_DIR}/feeds_e2e_test.cc)
target_link_libraries(feeds_e2e_test PRIVATE depositd_test_harness
                      depositd_feed_samples depositd_feeds GTest::gmock
                      GTest::gtest_main)
gtest_discover_tests(feeds_e2e_test PROPERTIES TIMEOUT 180
                     DISCOVERY_TIMEOUT 60)
depositd_test_labels(feeds_e2e_test "feeds;integration")
# Runs after the script above (TEST_INCLUDE_FILES in order).
set(feeds_crash_labels "${CMAKE_CURRENT_BINARY_DIR}/feeds_e2e_crash_labels.cmake")
file(WRITE "${feeds_crash_labels}"
     "foreach(t IN LISTS feeds_e2e_test_TESTS)\n"
     "  if(t MATCHES \"FeedsCrashTest\")\n"
     "    set_tests_properties(\${t} PROPERTIES LABELS \"feeds;integration;crash\")\n"
     "  endif()\n"
     "endforeach()\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${feeds_crash_labels}")
