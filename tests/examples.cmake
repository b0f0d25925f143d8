# The library example of docs/library.md, built against the shared library
# and run: the public header and libcaveat.so are all it needs.
add_executable(check_one ${PROJECT_SOURCE_DIR}/examples/check_one.c)
target_link_libraries(check_one PRIVATE caveat)
add_test(NAME example_check_one
  COMMAND check_one ${PROJECT_SOURCE_DIR} ${CAVEAT_DCW} ${CMAKE_BINARY_DIR}/geo-cache)
set_tests_properties(example_check_one PROPERTIES
  PASS_REGULAR_EXPRESSION "US: permitted \\(kharkiv-counter-fire\\)")

# The tutorial's policy (docs/tutorial.md): its tests pass, it lints clean
# and it is laid out the canonical way.
add_test(NAME tutorial_norway
  COMMAND caveat_cli --cache ${CMAKE_BINARY_DIR}/geo-cache
          --policy ${PROJECT_SOURCE_DIR}/examples/norway/norway.caveat
          test ${PROJECT_SOURCE_DIR}/examples/norway/norway.test.jsonl)
add_test(NAME tutorial_norway_lint
  COMMAND caveat_cli --no-geo --policy ${PROJECT_SOURCE_DIR}/examples/norway/norway.caveat lint)
add_test(NAME tutorial_norway_fmt
  COMMAND caveat_cli fmt --check ${PROJECT_SOURCE_DIR}/examples/norway/norway.caveat)

# README.md's examples whose output it shows, run and compared exactly, and
# the worked example's claims in prose (tests/readme_test.py; its --update
# rewrites the output blocks when the tool's output changes on purpose).
add_test(NAME readme_examples
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/readme_test.py $<TARGET_FILE:caveat_cli>
          ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/geo-cache)
set_tests_properties(readme_examples PROPERTIES FIXTURES_REQUIRED geo_cache)
