# The house: the rules of docs/architecture.md (no file needs another that
# needs it back, no include across components, no file over 800 lines, every
# file on the page), read from this build's objects; and adding a use field
# in a scratch copy of the tree, as the page shows it.
add_test(NAME architecture
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/architecture_test.py ${PROJECT_SOURCE_DIR}
          ${CMAKE_BINARY_DIR}/CMakeFiles/caveat_objects.dir ${CMAKE_BINARY_DIR}/CMakeFiles/caveat_cli.dir)
add_test(NAME add_use_field COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/add_field_test.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(add_use_field PROPERTIES TIMEOUT 900)
# Layout: every C source as .clang-format says (scripts/deps.sh installs it).
add_test(NAME format COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/format_check.sh ${PROJECT_SOURCE_DIR})
