# Datasets (issue 4): tokenizer, ACLED mapping and the dataset reader
# (tests/datasets_test.c), and 'caveat assess' end to end (datasets_cli.sh).
add_executable(datasets_test ${CMAKE_CURRENT_SOURCE_DIR}/datasets_test.c)
target_include_directories(datasets_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(datasets_test PRIVATE
  CAVEAT_TEST_DIR="${CMAKE_CURRENT_SOURCE_DIR}"
  CAVEAT_DATA_DIR="${PROJECT_SOURCE_DIR}/data"
  CAVEAT_POLICY_DIR="${CMAKE_CURRENT_SOURCE_DIR}/policies"
  CAVEAT_DCW_PATH="${CAVEAT_DCW}"
  CAVEAT_GEO_CACHE="${CMAKE_BINARY_DIR}/geo-cache")
target_link_libraries(datasets_test PRIVATE caveat_static PkgConfig::CMOCKA)
add_test(NAME datasets COMMAND datasets_test)

add_test(NAME datasets_cli
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/datasets_cli.sh $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${PROJECT_SOURCE_DIR}/data/sample-acled.csv
          ${CMAKE_CURRENT_SOURCE_DIR}/data/datasets)
set_tests_properties(datasets_cli PROPERTIES
  ENVIRONMENT CAVEAT_TEST_POLICY=${CMAKE_CURRENT_SOURCE_DIR}/policies/us.caveat)

# The cases of issue 8 in ACLED's layout (tests/data/acled): border villages,
# the coast, Russia's fire, weapons, munitions, targets, the cross-check.
add_test(NAME acled_cases
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/acled_cases.py $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${CMAKE_CURRENT_SOURCE_DIR}/data/acled)
set_tests_properties(acled_cases PROPERTIES
  ENVIRONMENT CAVEAT_TEST_POLICY=${CMAKE_CURRENT_SOURCE_DIR}/policies/us.caveat)

# No generic word ("MLRS", "Grad", "howitzer") names a donated system, and the
# names people use ("Leopard 2", "NLAW") do (issue 20): data/systems.json
# against a list of generic phrases, then the matcher over every ACLED fixture.
add_test(NAME aliases
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/aliases_test.py $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${PROJECT_SOURCE_DIR})

# Every cited source with a link is a link in JSON Lines, CSV, GeoJSON and
# check's text, on the sample under every shipped policy.
add_test(NAME source_links
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/links_test.py $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${PROJECT_SOURCE_DIR})
set_tests_properties(source_links PROPERTIES FIXTURES_REQUIRED geo_cache)

# Every string written as JSON is valid UTF-8 (issue 22): random bytes.
add_executable(json_escape_test ${CMAKE_CURRENT_SOURCE_DIR}/json_escape_test.c)
target_include_directories(json_escape_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(json_escape_test PRIVATE caveat_static)
add_test(NAME json_escape COMMAND sh -c "\"$1\" | /usr/bin/python3 \"$2\"" sh
         $<TARGET_FILE:json_escape_test> ${CMAKE_CURRENT_SOURCE_DIR}/json_escape_check.py)
# A policy string that is not UTF-8 is refused at load with file:line:column.
add_test(NAME policy_not_utf8 COMMAND sh -c
  "\"$1\" lint --policy \"$2\" 2>&1 >/dev/null | grep -q 'not-utf8.caveat:28:132: error: byte 0xFF in a string is not UTF-8'" sh
  $<TARGET_FILE:caveat_cli> ${PROJECT_SOURCE_DIR}/tests/data/policies-bad/not-utf8.caveat)

# Rows in = rows out (issue 22): adjacent broken rows and every mix of line
# ends, against the definition's reference (tests/csv_rows.h).
add_executable(csv_rows_test ${CMAKE_CURRENT_SOURCE_DIR}/csv_rows_test.c)
target_include_directories(csv_rows_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(csv_rows_test PRIVATE caveat_static)
add_test(NAME csv_rows COMMAND csv_rows_test)

# Data files empty or cut short are refused with file:line:column, and an
# error on a 1 MB line shows a window of it (issue 22).
add_test(NAME data_files
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/data_files_test.sh $<TARGET_FILE:caveat_cli>
          ${PROJECT_SOURCE_DIR}/data ${PROJECT_SOURCE_DIR}/tests/data/policies-bad/not-utf8.caveat)

# 'assess --jobs': which worker takes which row (cli/pool.c).
add_executable(pool_test ${CMAKE_CURRENT_SOURCE_DIR}/pool_test.c ${PROJECT_SOURCE_DIR}/cli/pool.c)
target_link_libraries(pool_test PRIVATE caveat_static)
add_test(NAME pool COMMAND pool_test)
