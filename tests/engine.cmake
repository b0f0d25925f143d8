# Tests of the policy language, the evaluator and the CLI's check/test.
set(CAVEAT_TEST_DEFS
  CAVEAT_TEST_DIR="${CMAKE_CURRENT_SOURCE_DIR}"
  CAVEAT_DATA_DIR="${PROJECT_SOURCE_DIR}/data"
  CAVEAT_POLICY_DIR="${CMAKE_CURRENT_SOURCE_DIR}/policies"
  CAVEAT_DCW_PATH="${CAVEAT_DCW}"
  CAVEAT_GEO_CACHE="${CMAKE_BINARY_DIR}/geo-cache")

add_executable(golden_test ${CMAKE_CURRENT_SOURCE_DIR}/golden_test.c)
target_compile_definitions(golden_test PRIVATE ${CAVEAT_TEST_DEFS})
target_link_libraries(golden_test PRIVATE caveat_static PkgConfig::CMOCKA)
add_test(NAME golden_errors COMMAND golden_test)

add_executable(engine_test ${CMAKE_CURRENT_SOURCE_DIR}/engine_test.c)
target_compile_definitions(engine_test PRIVATE ${CAVEAT_TEST_DEFS})
target_include_directories(engine_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(engine_test PRIVATE caveat_static PkgConfig::CMOCKA)
# Counts allocations to prove that evaluation makes none.
target_link_options(engine_test PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc)
add_test(NAME engine COMMAND engine_test)

# The policy test files: the seed scenarios and our own boundary cases, run
# through the real CLI with the real borders.
file(GLOB CAVEAT_SCENARIO_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/*.jsonl)
add_test(NAME scenarios
  COMMAND caveat_cli --cache ${CMAKE_BINARY_DIR}/geo-cache
          --policy ${CMAKE_CURRENT_SOURCE_DIR}/policies/us.caveat test ${CAVEAT_SCENARIO_FILES})
add_test(NAME cli_check
  COMMAND ${CMAKE_COMMAND} -DCAVEAT=$<TARGET_FILE:caveat_cli> -DCACHE=${CMAKE_BINARY_DIR}/geo-cache
          -DCASES=${CMAKE_CURRENT_SOURCE_DIR}/cli -DPOLICY=${CMAKE_CURRENT_SOURCE_DIR}/policies/us.caveat
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/run_cases.cmake)
# 'caveat --version' against the files it reports on (and no border index
# built), 'caveat help' and 'help CMD' against each command's --help.
add_test(NAME cli_version
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/version_test.py $<TARGET_FILE:caveat_cli>
          ${PROJECT_SOURCE_DIR})
# Every command's --help against what its parser accepts, both ways.
add_test(NAME cli_help_options
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/help_options_test.py
          $<TARGET_FILE:caveat_cli> ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/geo-cache)
set_tests_properties(cli_help_options PROPERTIES FIXTURES_REQUIRED geo_cache)

# The shipped corpus with every policy loaded (the default): the seed
# scenarios still hold, the multi-donor scenarios, each policy's own file.
file(GLOB CAVEAT_CORPUS_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/*.jsonl)
add_test(NAME corpus_scenarios
  COMMAND caveat_cli --cache ${CMAKE_BINARY_DIR}/geo-cache
          test ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/seed.jsonl ${CAVEAT_CORPUS_FILES})

# Quotations must be verbatim: in the shipped public record
# (policies/record), and in the seed documents where they are at hand.
file(GLOB CAVEAT_POLICY_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/policies/*.caveat)
add_test(NAME quotations COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_quotes.sh
  ${PROJECT_SOURCE_DIR}/../shared/sources ${PROJECT_SOURCE_DIR}/policies/record
  ${CAVEAT_POLICY_FILES})
# ... and the check fails on a quotation that is not in the record.
add_test(NAME quotations_mismatch COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_quotes.sh
  ${PROJECT_SOURCE_DIR}/../shared/sources ${PROJECT_SOURCE_DIR}/policies/record
  ${CMAKE_CURRENT_SOURCE_DIR}/cli/misquoted.caveat)
set_tests_properties(quotations_mismatch PROPERTIES WILL_FAIL TRUE)

# The HTTP API, end to end on a loopback port.
add_test(NAME server
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/server_test.sh $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${CMAKE_CURRENT_SOURCE_DIR})
# The tests pin their own copy of the policy: a policy added to policies/
# (or the shipped one rewritten) must not change what they expect.
set_tests_properties(server PROPERTIES
  ENVIRONMENT CAVEAT_TEST_POLICY=${CMAKE_CURRENT_SOURCE_DIR}/policies/us.caveat)
# The same beside hostile clients (slowloris, slow declared bodies), 20 s
# of a legitimate client that must never fail (issue 22).
add_test(NAME server_load
  COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/server_load.py $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${CMAKE_CURRENT_SOURCE_DIR} 20)
set_tests_properties(server_load PROPERTIES TIMEOUT 120 FIXTURES_REQUIRED geo_cache
  ENVIRONMENT CAVEAT_TEST_POLICY=${CMAKE_CURRENT_SOURCE_DIR}/policies/us.caveat)

# The engine as the corpus of many donors uses it: suppliers in the memo,
# cv_diff_donors, cv_history.
add_executable(corpus_test ${CMAKE_CURRENT_SOURCE_DIR}/corpus_test.c)
target_compile_definitions(corpus_test PRIVATE ${CAVEAT_TEST_DEFS})
target_link_libraries(corpus_test PRIVATE caveat_static PkgConfig::CMOCKA)
add_test(NAME corpus COMMAND corpus_test)
add_test(NAME corpus_assess
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/corpus_assess.sh $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/seed.jsonl)

# The engine against a naive reference evaluator on random policies and uses
# (tests/differential_test.c): 100,000 cases here; bench/ runs more.
add_executable(differential_test ${CMAKE_CURRENT_SOURCE_DIR}/differential_test.c
  ${CMAKE_CURRENT_SOURCE_DIR}/reference.c)
target_compile_definitions(differential_test PRIVATE ${CAVEAT_TEST_DEFS})
target_include_directories(differential_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(differential_test PRIVATE caveat_static)
# Under the sanitizers each case costs some twenty times more: 20,000 there
# keeps the sanitized suite's run short; the plain build runs all 100,000.
if(CAVEAT_SANITIZE)
  add_test(NAME differential COMMAND differential_test 20000)
else()
  add_test(NAME differential COMMAND differential_test 100000)
endif()

# The examples of docs/interchange.md, run through the CLI.
add_test(NAME interchange_examples
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_interchange.py $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${PROJECT_SOURCE_DIR})

# A policy's 'supplies' and the catalog's "delivered" (issue 20).
add_executable(systems_test ${CMAKE_CURRENT_SOURCE_DIR}/systems_test.c)
target_compile_definitions(systems_test PRIVATE ${CAVEAT_TEST_DEFS})
target_include_directories(systems_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(systems_test PRIVATE caveat_static PkgConfig::CMOCKA)
add_test(NAME systems COMMAND systems_test)
set_tests_properties(systems PROPERTIES FIXTURES_REQUIRED geo_cache)
