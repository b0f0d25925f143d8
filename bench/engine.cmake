add_executable(engine_bench ${CMAKE_CURRENT_SOURCE_DIR}/engine_bench.c)
target_compile_definitions(engine_bench PRIVATE CAVEAT_HOME="${PROJECT_SOURCE_DIR}"
  CAVEAT_DCW_PATH="${CAVEAT_DCW}" CAVEAT_BENCH_CACHE="${CMAKE_BINARY_DIR}/geo-cache")
target_link_libraries(engine_bench PRIVATE caveat_static)

# The differential test at ten times its CI size, with another seed:
# 'cmake --build build --target differential_bench'.
add_custom_target(differential_bench
  COMMAND differential_test 1000000 4242
  DEPENDS differential_test)

# One decision's time over a dataset, every shipped policy: mean and p99,
# memo off, on, and with the point resolved (bench/decide_bench.c).
add_executable(decide_bench ${CMAKE_CURRENT_SOURCE_DIR}/decide_bench.c)
target_compile_definitions(decide_bench PRIVATE CAVEAT_HOME="${PROJECT_SOURCE_DIR}"
  CAVEAT_DCW_PATH="${CAVEAT_DCW}" CAVEAT_BENCH_CACHE="${CMAKE_BINARY_DIR}/geo-cache")
# memo.h: which rows hit the row memo, for the split of the memoised pass.
target_include_directories(decide_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(decide_bench PRIVATE caveat_static)
