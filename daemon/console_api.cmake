# The console's server side (included from daemon/CMakeLists.txt): the JSON
# API under /api/v1 (api_*.cc: sessions, routes, endpoints; the calls
# themselves are api_calls.cc in depositd_grpc_edge, shared with the gRPC
# services) and the handler that serves the console's embedded files.
target_sources(depositd_daemon_lib PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/api_alerts.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/api_calendar.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/api_json.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/api_router.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/api_sessions.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/api_shops.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/console_handler.cc
)
target_link_libraries(depositd_daemon_lib PUBLIC depositd_common)

# The console's files come from console/ (depositd_console_assets, built by
# console/CMakeLists.txt); without that library depositd serves the API and
# answers /console/ with 404 "built without the console's files".
target_link_libraries(depositd PRIVATE
  $<TARGET_NAME_IF_EXISTS:depositd_console_assets>)
target_compile_definitions(depositd PRIVATE
  $<$<TARGET_EXISTS:depositd_console_assets>:DEPOSITD_HAVE_CONSOLE_ASSETS=1>)

if(DEPOSITD_BUILD_TESTS)
  # The shards' query indexes: engine only (no gRPC), labels engine and
  # console.
  depositd_daemon_test(shop_index "engine;console" depositd_engine)
  # Console sessions kept in a real store (temp data dir), fake clock.
  depositd_daemon_test(api_sessions "console")
endif()
