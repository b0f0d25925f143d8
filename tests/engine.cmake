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

# Quotations must be verbatim where the source document is at hand.
add_test(NAME quotations COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check_quotes.sh
  ${PROJECT_SOURCE_DIR}/policies/us.caveat ${PROJECT_SOURCE_DIR}/../shared/sources)
set_tests_properties(quotations PROPERTIES SKIP_RETURN_CODE 77)

# The HTTP API, end to end on a loopback port.
add_test(NAME server
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/server_test.sh $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${CMAKE_CURRENT_SOURCE_DIR})
# The tests pin their own copy of the policy: a policy added to policies/
# (or the shipped one rewritten) must not change what they expect.
set_tests_properties(server PROPERTIES
  ENVIRONMENT CAVEAT_TEST_POLICY=${CMAKE_CURRENT_SOURCE_DIR}/policies/us.caveat)

# The engine against a naive reference evaluator on random policies and uses
# (tests/differential_test.c): 100,000 cases here; bench/ runs more.
add_executable(differential_test ${CMAKE_CURRENT_SOURCE_DIR}/differential_test.c)
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
