# bench/cedar's side by side kept honest: Cedar and json-rules-engine, from
# the compiled shipped policies, decide as caveat does (no timing).  Skipped
# without node or bench/cedar's npm packages (scripts/web-deps.sh).
add_test(NAME cedar_agreement
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cedar_agreement.sh ${CMAKE_BINARY_DIR})
set_tests_properties(cedar_agreement PROPERTIES FIXTURES_REQUIRED geo_cache TIMEOUT 300
                     SKIP_RETURN_CODE 77)
