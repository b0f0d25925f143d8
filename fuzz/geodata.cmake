# The gazetteer's readers and user region files (issue 3).
foreach(harness places_fuzz regions_fuzz)
  add_executable(${harness} ${CMAKE_CURRENT_SOURCE_DIR}/${harness}.c)
  target_compile_definitions(${harness} PRIVATE CAVEAT_HOME="${PROJECT_SOURCE_DIR}"
    CAVEAT_DCW_PATH="${CAVEAT_DCW}" CAVEAT_FUZZ_CACHE="${CMAKE_BINARY_DIR}/geo-cache")
  target_include_directories(${harness} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${harness} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${harness} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${harness} PRIVATE caveat_static)
  add_dependencies(fuzzers ${harness})
endforeach()
