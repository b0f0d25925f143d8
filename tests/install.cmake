# The installed caveat: 'cmake --install' into a scratch prefix, the
# library example built there with pkg-config (shared and static) and with
# find_package(caveat), the man pages read with man -M, the installed CLI
# finding its own data (tests/install_test.sh).
# Not in sanitized builds: programs linked with their libcaveat would need
# the sanitizers' flags, which pkg-config does not carry.
if(CAVEAT_SANITIZE OR CAVEAT_FUZZ)
  return()
endif()
add_test(NAME install
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install_test.sh ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}
          ${CAVEAT_DCW})
set_tests_properties(install PROPERTIES TIMEOUT 600)
