# The web page in Debian's chromium, driven by playwright-core
# (scripts/web-deps.sh --browser installs both).
add_test(NAME web_page
  COMMAND node ${CMAKE_CURRENT_SOURCE_DIR}/web/page.test.mjs $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${CMAKE_BINARY_DIR}/web-page.png)
set_tests_properties(web_page PROPERTIES
  ENVIRONMENT CAVEAT_TEST_POLICY=${CMAKE_CURRENT_SOURCE_DIR}/policies/us.caveat)
# The page as users get it, every shipped policy loaded: the lead verdict,
# the panel, donor filter, phone, keyboard, clusters, embed and the static
# copy of 'caveat site' served by python3 -m http.server.
add_test(NAME web_lead
  COMMAND node ${CMAKE_CURRENT_SOURCE_DIR}/web/lead.test.mjs $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${CMAKE_BINARY_DIR}/web-lead.png)
