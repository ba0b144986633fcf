# Unit tests of sea::fixtures and the process probe (label `unit`: no docker, no servers, fast).
# Included from tests/unit/CMakeLists.txt; paths are relative to this file so it can be included from anywhere.
sea_add_gtest(NAME fixtures_unit_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_process_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_eventually_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_env_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_timeline_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_check_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_ledger_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_cleanup_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_owner_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_preflight_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_inputs_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_stack_name_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_profile_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fixtures_fault_test.cpp
  LIBS sea::fixtures sea::probes sea::testsupport
  LABELS unit
  TIMEOUT 60)
