# find_package(GTest) in cross builds: GoogleTest was added from source by
# ../googletest-from-source.cmake, which defined GTest::gtest and GTest::gtest_main.
if(TARGET GTest::gtest AND TARGET GTest::gtest_main)
  set(GTest_FOUND TRUE)
else()
  set(GTest_FOUND FALSE)
  set(GTest_NOT_FOUND_MESSAGE "GoogleTest targets missing: include googletest-from-source.cmake first")
endif()
