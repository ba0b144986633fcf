# sea_add_gtest(NAME target SOURCES ... LIBS ... LABELS ... [PROPERTIES ...])
# Builds one gtest binary and registers every case with ctest through gtest_discover_tests,
# so `ctest -N -L <label>` lists individual cases and IDE test explorers see them.
include_guard(GLOBAL)
function(sea_add_gtest)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;PROPERTIES" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main sea::warnings)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  gtest_discover_tests(${T_NAME}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT} ${T_PROPERTIES})
endfunction()
