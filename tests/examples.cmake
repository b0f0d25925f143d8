# The library example of docs/library.md, built against the shared library
# and run: the public header and libcaveat.so are all it needs.
add_executable(check_one ${PROJECT_SOURCE_DIR}/examples/check_one.c)
target_link_libraries(check_one PRIVATE caveat)
add_test(NAME example_check_one
  COMMAND check_one ${PROJECT_SOURCE_DIR} ${CAVEAT_DCW} ${CMAKE_BINARY_DIR}/geo-cache)
set_tests_properties(example_check_one PROPERTIES
  PASS_REGULAR_EXPRESSION "US: permitted \\(kharkiv-counter-fire\\)")
