# The CSV tokenizer against the definition of a row (issue 22): rows in =
# rows out, the reference being tests/csv_rows.h.
add_executable(csvrows_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/csvrows_fuzz.c)
target_include_directories(csvrows_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(csvrows_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(csvrows_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_libraries(csvrows_fuzz PRIVATE caveat_static)
add_dependencies(fuzzers csvrows_fuzz)
