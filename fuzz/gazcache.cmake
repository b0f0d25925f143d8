# The place index cache's loader (issue 23), as geocache.cmake the border
# index's.
add_executable(gazcache_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/gazcache_fuzz.c)
target_include_directories(gazcache_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(gazcache_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(gazcache_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(gazcache_fuzz PRIVATE caveat_static)
add_dependencies(fuzzers gazcache_fuzz)
