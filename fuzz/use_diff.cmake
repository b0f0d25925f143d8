# The reader of a use from JSON against the cJSON reader it replaced, the
# reference (tests/use_json_reference.c).
add_executable(use_diff_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/use_diff_fuzz.c
  ${PROJECT_SOURCE_DIR}/tests/use_json_reference.c)
target_compile_definitions(use_diff_fuzz PRIVATE CAVEAT_HOME="${PROJECT_SOURCE_DIR}")
target_include_directories(use_diff_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(use_diff_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(use_diff_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(use_diff_fuzz PRIVATE caveat_static PkgConfig::CJSON)
add_dependencies(fuzzers use_diff_fuzz)
