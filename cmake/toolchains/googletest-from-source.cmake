# Cross builds have no GoogleTest library for the target, so it is built from the sources
# Debian's googletest package installs (/usr/src/googletest). The cross presets include
# this file at the end of project(osp) (CMAKE_PROJECT_osp_INCLUDE); tests/ then finds
# GTest through the config file in googletest-from-source/, which accepts these targets.
set(OSP_GOOGLETEST_SOURCE_DIR /usr/src/googletest CACHE PATH
    "GoogleTest sources built for the target in cross builds")

if(DEFINED OSP_BUILD_TESTS AND NOT OSP_BUILD_TESTS)
  return()
endif()
if(NOT EXISTS ${OSP_GOOGLETEST_SOURCE_DIR}/CMakeLists.txt)
  message(FATAL_ERROR "GoogleTest sources not found in OSP_GOOGLETEST_SOURCE_DIR="
                      "'${OSP_GOOGLETEST_SOURCE_DIR}': install Debian's googletest package "
                      "(scripts/install-deps.sh core) or point the variable at a checkout")
endif()

set(BUILD_GMOCK OFF CACHE BOOL "Build GoogleMock with GoogleTest" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "Install GoogleTest" FORCE)
add_subdirectory(${OSP_GOOGLETEST_SOURCE_DIR} ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
set(GTest_DIR ${CMAKE_CURRENT_LIST_DIR}/googletest-from-source CACHE PATH
    "Config that hands GoogleTest built from source to find_package(GTest)" FORCE)
