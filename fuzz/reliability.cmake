# Issue 11: generated policies (compile, lint, diff, timeline, evaluation)
# and large dataset rows.
foreach(harness policygen_fuzz rows_fuzz)
  add_executable(${harness} ${CMAKE_CURRENT_SOURCE_DIR}/${harness}.c)
  target_compile_definitions(${harness} PRIVATE CAVEAT_HOME="${PROJECT_SOURCE_DIR}")
  target_include_directories(${harness} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${harness} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${harness} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${harness} PRIVATE caveat_static PkgConfig::CJSON)
  add_dependencies(fuzzers ${harness})
endforeach()
# The engine against the naive reference evaluator of tests/reference.h, on
# policies and uses the input steers.  The reference is the oracle, not what
# is fuzzed: built without coverage, it runs several times faster.
add_library(caveat_reference STATIC ${PROJECT_SOURCE_DIR}/tests/reference.c)
target_include_directories(caveat_reference PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(caveat_reference PRIVATE -fno-sanitize=fuzzer-no-link)
target_link_libraries(caveat_reference PUBLIC caveat_static)
add_executable(differential_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/differential_fuzz.c)
target_compile_definitions(differential_fuzz PRIVATE CAVEAT_HOME="${PROJECT_SOURCE_DIR}")
target_compile_options(differential_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(differential_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(differential_fuzz PRIVATE caveat_reference)
add_dependencies(fuzzers differential_fuzz)
