# Operations tests (included from tests/CMakeLists.txt): logs, systemd,
# the Debian package, Prometheus rules, backups. Label "ops", plus
# "integration" for those that start depositd and "crash" for those that
# kill it.

add_executable(log_format_test log_format_test.cc)
target_link_libraries(log_format_test PRIVATE depositd_test_harness
                      GTest::gmock GTest::gtest_main)
gtest_discover_tests(log_format_test PROPERTIES TIMEOUT 120
                     DISCOVERY_TIMEOUT 60)
depositd_test_labels(log_format_test "ops;integration")

# systemd: the unit verifies; READY=1 / STOPPING=1 on a fake NOTIFY_SOCKET.
add_executable(systemd_test systemd_test.cc)
target_compile_definitions(systemd_test PRIVATE
  DEPOSITD_SYSTEMD_UNIT="${DEPOSITD_TESTS_SOURCE_ROOT}/deploy/systemd/depositd.service")
target_link_libraries(systemd_test PRIVATE depositd_test_harness
                      GTest::gmock GTest::gtest_main)
gtest_discover_tests(systemd_test PROPERTIES TIMEOUT 120 DISCOVERY_TIMEOUT 60)
depositd_test_labels(systemd_test "ops;integration;crash")

# Prometheus rules for depositd itself (deploy/prometheus/): promtool from
# Debian's prometheus package checks them and runs their unit tests.
set(DEPOSITD_PROMETHEUS_DIR ${DEPOSITD_TESTS_SOURCE_ROOT}/deploy/prometheus)
add_test(NAME PrometheusRules.Check
         COMMAND promtool check rules ${DEPOSITD_PROMETHEUS_DIR}/depositd-rules.yml)
add_test(NAME PrometheusRules.UnitTests
         COMMAND promtool test rules depositd-rules.test.yml
         WORKING_DIRECTORY ${DEPOSITD_PROMETHEUS_DIR})
set_tests_properties(PrometheusRules.Check PrometheusRules.UnitTests
                     PROPERTIES LABELS "ops" TIMEOUT 60)

# The Debian package in a fresh Debian 12 root (debootstrap; about 3
# minutes; needs root and the network, skipped without root or debootstrap).
# The binaries come from this build: build depositd and depositctl first.
add_test(NAME DebPackage.InstallsInAFreshDebianRoot
         COMMAND ${DEPOSITD_TESTS_SOURCE_ROOT}/tests/deb_package_test.sh
                 ${DEPOSITD_TESTS_SOURCE_ROOT} ${PROJECT_BINARY_DIR})
set_tests_properties(DebPackage.InstallsInAFreshDebianRoot PROPERTIES
                     LABELS "ops" TIMEOUT 600 SKIP_RETURN_CODE 77)

# Backups: Admin.Backup through depositctl under load, and the restore.
add_executable(backup_test backup_test.cc)
target_compile_definitions(backup_test PRIVATE
  DEPOSITCTL_BINARY="$<TARGET_FILE:depositctl>")
add_dependencies(backup_test depositctl)
target_link_libraries(backup_test PRIVATE depositd_test_harness
                      GTest::gmock GTest::gtest_main)
gtest_discover_tests(backup_test PROPERTIES TIMEOUT 180 DISCOVERY_TIMEOUT 60)
depositd_test_labels(backup_test "ops;integration")


# Live configuration reload (Admin.ReloadConfig, depositctl config reload,
# SIGHUP): good and bad files, then kill -9 and a replay that agrees.
add_executable(reload_test reload_test.cc)
target_compile_definitions(reload_test PRIVATE
  DEPOSITCTL_BINARY="$<TARGET_FILE:depositctl>")
add_dependencies(reload_test depositctl)
target_link_libraries(reload_test PRIVATE depositd_test_harness
                      GTest::gmock GTest::gtest_main)
gtest_discover_tests(reload_test PROPERTIES TIMEOUT 180 DISCOVERY_TIMEOUT 60)
depositd_test_labels(reload_test "ops;integration;crash")
