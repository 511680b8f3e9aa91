# Live configuration reload (included from daemon/CMakeLists.txt):
# config_sinks (alert delivery of the configuration in force) and
# config_reload (SIGHUP / Admin.ReloadConfig). The loader and the versions
# the engine keeps are in depositd_engine (no gRPC).
add_library(depositd_config_reload STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/config_reload.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config_sinks.cc
)
target_include_directories(depositd_config_reload PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(depositd_config_reload PUBLIC
  depositd_engine
  depositd_sinks
  absl::synchronization
  absl::strings
  absl::time
)
target_link_libraries(depositd_daemon_lib PUBLIC depositd_config_reload)

if(DEPOSITD_BUILD_TESTS)
  # Pure parts (the loader's FILE:LINE errors, what needs a restart) and
  # the engine's configuration change with its replay: no gRPC.
  add_executable(daemon_config_loader_test
    ${CMAKE_CURRENT_SOURCE_DIR}/config_loader_test.cc)
  target_link_libraries(daemon_config_loader_test PRIVATE
    depositd_config_reload GTest::gtest GTest::gtest_main)
  gtest_discover_tests(daemon_config_loader_test DISCOVERY_TIMEOUT 60)
  depositd_test_labels(daemon_config_loader_test "engine;ops")

  # The file's standing silences and the registry keeping them apart.
  add_executable(daemon_config_silences_test
    ${CMAKE_CURRENT_SOURCE_DIR}/config_silences_test.cc)
  target_link_libraries(daemon_config_silences_test PRIVATE
    depositd_engine GTest::gtest GTest::gtest_main)
  gtest_discover_tests(daemon_config_silences_test DISCOVERY_TIMEOUT 60)
  depositd_test_labels(daemon_config_silences_test "engine;alerts;ops")

  add_executable(daemon_config_change_test
    ${CMAKE_CURRENT_SOURCE_DIR}/config_change_test.cc)
  target_link_libraries(daemon_config_change_test PRIVATE
    depositd_engine GTest::gtest GTest::gtest_main)
  gtest_discover_tests(daemon_config_change_test DISCOVERY_TIMEOUT 60)
  depositd_test_labels(daemon_config_change_test "engine;crash;ops")
endif()
