# Geography benchmark: index build and cache load times, resolutions/s.
add_executable(geo_bench ${CMAKE_CURRENT_SOURCE_DIR}/geo_bench.c)
target_compile_definitions(geo_bench PRIVATE CAVEAT_DCW_PATH="${CAVEAT_DCW}"
  CAVEAT_DATA_DIR="${PROJECT_SOURCE_DIR}/data" _DEFAULT_SOURCE)
target_link_libraries(geo_bench PRIVATE caveat_static m)
