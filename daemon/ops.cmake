# Operations (included from daemon/CMakeLists.txt): logging, systemd
# readiness notification, backups.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)  # libsystemd-dev

# The logger and backups sit in depositd_store, the lowest library: the
# store, the sink dispatcher and auth log through it, and a backup is a
# copy of the store (neither needs gRPC).
target_sources(depositd_store PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/backup.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/log.cc
)
target_link_libraries(depositd_store PUBLIC protobuf::libprotobuf)
target_sources(depositd_daemon_lib PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/sd_notify.cc
)
target_link_libraries(depositd_daemon_lib PUBLIC PkgConfig::LIBSYSTEMD)

if(DEPOSITD_BUILD_TESTS)
  foreach(unit backup log)
    add_executable(daemon_${unit}_test
                   ${CMAKE_CURRENT_SOURCE_DIR}/${unit}_test.cc)
    target_link_libraries(daemon_${unit}_test PRIVATE depositd_daemon_lib
                          GTest::gmock GTest::gtest GTest::gtest_main)
    gtest_discover_tests(daemon_${unit}_test DISCOVERY_TIMEOUT 60)
    depositd_test_labels(daemon_${unit}_test "ops")
  endforeach()
endif()
