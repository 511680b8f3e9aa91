# The ops web console's browser tests (issue 17), label "console": node's
# test runner drives Debian's Chromium through playwright-core
# (console/tests/, installed by `npm ci` from the committed lockfile; no
# browser download) against the real depositd, started and stopped by
# console/tests/harness.mjs with a token file and a test clock.
#
# console_npm_install runs first (a fixture): `npm ci` only when
# node_modules is missing or older than package-lock.json. The browser tests
# share one lock so that two Chromiums do not compete for the 2 cores.

find_program(DEPOSITD_NODE node)
if(NOT DEPOSITD_NODE)
  message(STATUS "tests: node not found; the console browser tests are not registered")
  return()
endif()

set(_console_tests_dir "${DEPOSITD_TESTS_SOURCE_ROOT}/console/tests")
add_test(NAME console_npm_install
         COMMAND "${_console_tests_dir}/run.sh" install)
set_tests_properties(console_npm_install PROPERTIES
  LABELS "console" FIXTURES_SETUP console_node_modules TIMEOUT 600)

# The pages' pure modules (money, zones, the timeline), in Node.js alone.
add_test(NAME console_js_format
         COMMAND "${_console_tests_dir}/run.sh" "format.test.mjs")
set_tests_properties(console_js_format PROPERTIES
  LABELS "console" FIXTURES_REQUIRED console_node_modules TIMEOUT 60)

foreach(name session overview shop alerts tenancy)
  add_test(NAME console_browser_${name}
           COMMAND "${_console_tests_dir}/run.sh" "${name}.test.mjs")
  set_tests_properties(console_browser_${name} PROPERTIES
    LABELS "console"
    FIXTURES_REQUIRED console_node_modules
    RESOURCE_LOCK console_chromium
    TIMEOUT 300
    ENVIRONMENT
      "DEPOSITD_BINARY=${DEPOSITD_TEST_BINARY};DEPOSITCTL_BINARY=$<TARGET_FILE:depositctl>;DEPOSITD_EXAMPLES_DIR=${DEPOSITD_TESTS_SOURCE_ROOT}/deploy/examples")
endforeach()
