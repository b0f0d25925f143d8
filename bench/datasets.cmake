# Datasets (issue 4): a synthetic ACLED-layout generator and the stage
# breakdown of 'caveat assess'; bench/assess_bench.sh runs them with the CLI.
add_executable(gen_acled ${CMAKE_CURRENT_SOURCE_DIR}/gen_acled.c)

add_executable(assess_stages ${CMAKE_CURRENT_SOURCE_DIR}/assess_stages.c
  ${PROJECT_SOURCE_DIR}/cli/assess_rows.c)
target_include_directories(assess_stages PRIVATE
  ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/cli)
target_compile_definitions(assess_stages PRIVATE CAVEAT_HOME="${PROJECT_SOURCE_DIR}"
  CAVEAT_DCW="${CAVEAT_DCW}" CAVEAT_CACHE="${CMAKE_BINARY_DIR}/geo-cache")
target_link_libraries(assess_stages PRIVATE caveat_static)
