# Allocation failure (issue 11): every allocation of a full run fails in
# turn and must end as CV_NOMEM, without crash or leak (tests/oom_test.c).
# The test replaces malloc for the whole process, which AddressSanitizer
# also does: it is built without sanitizers only.  ctest samples the
# allocations (the first 150, then 150 spread over the run); the bench
# target oom_all fails every one of them.
if(NOT CAVEAT_SANITIZE AND NOT CAVEAT_FUZZ)
  add_executable(oom_test ${CMAKE_CURRENT_SOURCE_DIR}/oom_test.c)
  target_link_libraries(oom_test PRIVATE caveat_static)
  set(CAVEAT_OOM_ARGS ${PROJECT_SOURCE_DIR} ${CAVEAT_DCW} ${CMAKE_BINARY_DIR}/geo-cache
      ${CMAKE_CURRENT_SOURCE_DIR}/data/oom)
  add_test(NAME oom COMMAND oom_test ${CAVEAT_OOM_ARGS} sample)
  set_tests_properties(oom PROPERTIES TIMEOUT 900)
  add_custom_target(oom_all COMMAND oom_test ${CAVEAT_OOM_ARGS} all
    DEPENDS oom_test USES_TERMINAL)
  # From an empty cache, as on a machine's first run: the borders' index is
  # built from the OpenStreetMap land polygons and gmt-dcw's netCDF file
  # (about 2,200 allocations, some 5 s of CPU a run): 20 + 20 sampled runs
  # here, every N in the bench target oom_cold_all (about 3 CPU-hours).
  add_test(NAME oom_cold COMMAND oom_test ${CAVEAT_OOM_ARGS} cold 20)
  set_tests_properties(oom_cold PROPERTIES TIMEOUT 1800)
  add_custom_target(oom_cold_all COMMAND oom_test ${CAVEAT_OOM_ARGS} cold all
    DEPENDS oom_test USES_TERMINAL)
endif()
