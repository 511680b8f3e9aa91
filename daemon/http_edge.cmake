# The HTTP edge (included from daemon/CMakeLists.txt): the cpp-httplib
# listener (HTTP or HTTPS), /metrics on prometheus-cpp's core (Registry, Collectable,
# TextSerializer; not its pull Exposer: the same listener will serve the
# console and webhooks), the probes and build information.
# cpp-httplib: Debian builds it as a shared library with OpenSSL, zlib and
# brotli support; its pkg-config Cflags carry the matching
# CPPHTTPLIB_*_SUPPORT defines (they change its classes' layout).
find_package(PkgConfig REQUIRED)
pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)  # libcpp-httplib-dev
find_package(OpenSSL REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)  # prometheus-cpp-dev

# depositd --version and depositd_build_info: the project version and the
# git revision at configure time ("unknown" outside a git checkout). The
# revision is read when CMake configures, so re-run cmake (deploy/build.sh
# does) for a new one.
set(DEPOSITD_REVISION "unknown")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(
    COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    OUTPUT_VARIABLE DEPOSITD_GIT_REVISION
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE DEPOSITD_GIT_RESULT
    ERROR_QUIET)
  if(DEPOSITD_GIT_RESULT EQUAL 0 AND DEPOSITD_GIT_REVISION)
    set(DEPOSITD_REVISION "${DEPOSITD_GIT_REVISION}")
  endif()
endif()
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/build_info.h.in
               ${PROJECT_BINARY_DIR}/generated/daemon/build_info.h @ONLY)

target_sources(depositd_daemon_lib PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/health_state.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/http_edge.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/metrics.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/metrics_collector.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/process_stats.cc
)
target_include_directories(depositd_daemon_lib PUBLIC
                           ${PROJECT_BINARY_DIR}/generated)
target_link_libraries(depositd_daemon_lib PUBLIC
  PkgConfig::CPP_HTTPLIB
  OpenSSL::SSL
  prometheus-cpp::core
)

if(DEPOSITD_BUILD_TESTS)
  # Pure units of the HTTP edge, labelled "ops".
  foreach(unit health_state metrics process_stats)
    add_executable(daemon_${unit}_test
                   ${CMAKE_CURRENT_SOURCE_DIR}/${unit}_test.cc)
    target_link_libraries(daemon_${unit}_test PRIVATE depositd_daemon_lib
                          GTest::gtest GTest::gtest_main)
    gtest_discover_tests(daemon_${unit}_test PROPERTIES LABELS "ops"
                         DISCOVERY_TIMEOUT 60)
  endforeach()
  # The edge in process: SetHandler's routes, TLS with a CA-verifying client.
  add_executable(daemon_http_edge_unit_test
                 ${CMAKE_CURRENT_SOURCE_DIR}/http_edge_unit_test.cc)
  target_link_libraries(daemon_http_edge_unit_test PRIVATE depositd_daemon_lib
                        CURL::libcurl GTest::gmock GTest::gtest_main)
  gtest_discover_tests(daemon_http_edge_unit_test PROPERTIES LABELS "ops"
                       DISCOVERY_TIMEOUT 60)
endif()
