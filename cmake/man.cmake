# Man pages: caveat(1) and caveat-COMMAND(1) for each command, written at
# build time from the built CLI's own help ('caveat help', 'caveat help
# COMMAND'), so a page says exactly what --help says (cmake/man_page.cmake
# turns the text into roff; no other tool is needed).
set(CAVEAT_MAN_DIR ${CMAKE_BINARY_DIR}/man)
add_custom_command(
  OUTPUT ${CAVEAT_MAN_DIR}/man1/caveat.1
  COMMAND ${CMAKE_COMMAND} -DCLI=$<TARGET_FILE:caveat_cli> -DOUT=${CAVEAT_MAN_DIR}/man1
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/man_page.cmake
  DEPENDS caveat_cli ${CMAKE_CURRENT_SOURCE_DIR}/cmake/man_page.cmake
  COMMENT "Writing the man pages from caveat's help")
add_custom_target(caveat_man ALL DEPENDS ${CAVEAT_MAN_DIR}/man1/caveat.1)
