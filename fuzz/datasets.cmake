# The dataset reader (issue 4): CSV, ACLED and JSON Lines input.
add_executable(datasets_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/datasets_fuzz.c)
target_compile_definitions(datasets_fuzz PRIVATE CAVEAT_HOME="${PROJECT_SOURCE_DIR}")
target_compile_options(datasets_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(datasets_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(datasets_fuzz PRIVATE caveat_static PkgConfig::CJSON)
add_dependencies(fuzzers datasets_fuzz)
