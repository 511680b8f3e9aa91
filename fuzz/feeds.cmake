# The native feeds' request parsers, one fuzz target per platform
# (included from fuzz/CMakeLists.txt; issue 16). Seeds: fuzz/corpus/
# <platform>_feed_fuzzer/ (the platforms' sample bodies).
if(DEPOSITD_FUZZ_ONLY AND TARGET depositd_feeds)
  target_compile_options(depositd_feeds PRIVATE
    -fsanitize=fuzzer-no-link,${DEPOSITD_FUZZ_SANITIZERS}
    ${DEPOSITD_FUZZ_FLAGS})
  target_link_options(depositd_feeds INTERFACE
    -fsanitize=${DEPOSITD_FUZZ_SANITIZERS})
endif()
foreach(platform tiktok douyin shopee temu amazon)
  depositd_add_fuzzer(${platform}_feed_fuzzer
    SOURCES feeds_fuzzer.cc fuzz_checks.cc
    LIBS depositd_feeds depositd_watchers depositd_notifier)
  target_compile_definitions(${platform}_feed_fuzzer PRIVATE
    DEPOSITD_FEED_PLATFORM="${platform}")
endforeach()
