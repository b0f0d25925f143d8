# The border index cache's loader (issue 22).
add_executable(geocache_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/geocache_fuzz.c)
target_include_directories(geocache_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/src/geo)
target_compile_options(geocache_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(geocache_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(geocache_fuzz PRIVATE caveat_static)
add_dependencies(fuzzers geocache_fuzz)
