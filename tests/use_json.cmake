# The reader of a use from JSON (src/use_json.c) against the cJSON reader it
# replaced (tests/use_json_reference.c, the reference): the same answer on
# every seed of the shipped scenarios and the use fuzzer's corpus, and on
# mutants of each (tests/use_json_diff_test.c).
file(GLOB CAVEAT_USE_JSON_SEEDS CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/*.jsonl ${CMAKE_CURRENT_SOURCE_DIR}/corpus/*.jsonl
  ${PROJECT_SOURCE_DIR}/fuzz/corpus/use/*)
add_executable(use_json_diff_test ${CMAKE_CURRENT_SOURCE_DIR}/use_json_diff_test.c
  ${CMAKE_CURRENT_SOURCE_DIR}/use_json_reference.c)
target_compile_definitions(use_json_diff_test PRIVATE ${CAVEAT_TEST_DEFS}
  CAVEAT_HOME="${PROJECT_SOURCE_DIR}")
target_include_directories(use_json_diff_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(use_json_diff_test PRIVATE caveat_static PkgConfig::CJSON)
# Mutants a seed: under the sanitizers each case costs some twenty times more.
if(CAVEAT_SANITIZE)
  add_test(NAME use_json_diff COMMAND use_json_diff_test 20 ${CAVEAT_USE_JSON_SEEDS})
else()
  add_test(NAME use_json_diff COMMAND use_json_diff_test 150 ${CAVEAT_USE_JSON_SEEDS})
endif()
