# The Python module (python/), with Debian's pytest: frames equal the CLI's
# CSV cell for cell on the sample and the ACLED fixtures, errors carry
# positions, one engine in two threads, memory flat over a million rows,
# the notebook-style example, and Dask on a LocalCluster of two workers.
if(TARGET caveat_python)
  set(CAVEAT_PY_ENV PYTHONPATH=${CMAKE_BINARY_DIR}/python CAVEAT_SOURCE=${PROJECT_SOURCE_DIR}
      CAVEAT_CLI=$<TARGET_FILE:caveat_cli> CAVEAT_CACHE=${CMAKE_BINARY_DIR}/geo-cache
      PYTHONDONTWRITEBYTECODE=1 MPLBACKEND=Agg)
  foreach(t frame threads memory dask)
    add_test(NAME python_${t}
      COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider
              ${CMAKE_CURRENT_SOURCE_DIR}/python/test_${t}.py)
    set_tests_properties(python_${t} PROPERTIES ENVIRONMENT "${CAVEAT_PY_ENV}"
      FIXTURES_REQUIRED geo_cache TIMEOUT 600)
  endforeach()
  add_test(NAME python_example
    COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/examples/verdicts_by_month.py
            ${PROJECT_SOURCE_DIR}/data/sample-acled.csv ${CMAKE_BINARY_DIR}/verdicts_by_month.png)
  set_tests_properties(python_example PROPERTIES ENVIRONMENT "${CAVEAT_PY_ENV}"
    FIXTURES_REQUIRED geo_cache PASS_REGULAR_EXPRESSION "wrote .*verdicts_by_month.png")
endif()
