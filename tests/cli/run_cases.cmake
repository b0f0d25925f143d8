# Runs each tests/cli/NAME.args (one argument a line) through the caveat
# command from tests/cli/ (on the tests' US policy, unless the case names a
# --policy or, for the shipped corpus, --home ../..) and compares stdout, stderr and the exit status
# with NAME.out, NAME.err and NAME.status (0 when absent).  With
# CAVEAT_UPDATE_GOLDEN set in the environment it rewrites them instead.
# Digests in stdout are written as DIGEST.
file(GLOB cases ${CASES}/*.args)
set(failures 0)
foreach(case ${cases})
  get_filename_component(name ${case} NAME_WE)
  file(STRINGS ${case} args)
  # Cases run on the tests' own copy of the policy unless they name one.
  list(FIND args "--policy" named)
  # A case that names a home runs on the shipped corpus, every donor.
  list(FIND args "--home" shipped)
  set(policy_args "")
  if(named EQUAL -1 AND shipped EQUAL -1 AND DEFINED POLICY)
    set(policy_args --policy ${POLICY})
  endif()
  execute_process(COMMAND ${CAVEAT} --cache ${CACHE} ${policy_args} ${args}
    WORKING_DIRECTORY ${CASES}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
  # A digest names the corpus's bytes and changes with any edit to a policy
  # or catalog; the cases keep where it is written, not its value
  # (tests/version_test.py checks the values).
  string(REGEX REPLACE "(_digest\": \")[0-9a-f]+\"" "\\1DIGEST\"" out "${out}")
  if(DEFINED ENV{CAVEAT_UPDATE_GOLDEN})
    file(WRITE ${CASES}/${name}.out "${out}")
    if(err)
      file(WRITE ${CASES}/${name}.err "${err}")
    endif()
    if(NOT status EQUAL 0)
      file(WRITE ${CASES}/${name}.status "${status}\n")
    endif()
  endif()
  set(want_status 0)
  if(EXISTS ${CASES}/${name}.status)
    file(STRINGS ${CASES}/${name}.status want_status)
  endif()
  file(READ ${CASES}/${name}.out want_out)
  set(want_err "")
  if(EXISTS ${CASES}/${name}.err)
    file(READ ${CASES}/${name}.err want_err)
  endif()
  if(NOT status EQUAL want_status OR NOT out STREQUAL want_out OR NOT err STREQUAL want_err)
    message("FAILED ${name}: status ${status} (want ${want_status})\n--- stdout\n${out}--- want\n${want_out}--- stderr\n${err}--- want\n${want_err}")
    math(EXPR failures "${failures} + 1")
  endif()
endforeach()
list(LENGTH cases total)
math(EXPR passed "${total} - ${failures}")
message("${passed} passed, ${failures} failed")
if(failures GREATER 0 OR total EQUAL 0)
  message(FATAL_ERROR "cli golden tests failed")
endif()
