# Installs the libraries, public headers, a CMake package (find_package(osp) gives
# osp::osp, osp::osp_static, osp::ospdebug, osp::ospdebug_static, osp::osp-leakview and
# the CI leak-gate functions of OspLeakCheck.cmake) and pkg-config files.
include(CMakePackageConfigHelpers)

set(OSP_INSTALL_TARGETS osp osp_static)
if(TARGET osp_malloc)
  list(APPEND OSP_INSTALL_TARGETS osp_malloc)
endif()
if(TARGET ospdebug)
  list(APPEND OSP_INSTALL_TARGETS ospdebug ospdebug_static)
endif()
if(TARGET osp-leakview)
  list(APPEND OSP_INSTALL_TARGETS osp-leakview)
endif()
install(TARGETS ${OSP_INSTALL_TARGETS} EXPORT ospTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/osp
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
# osp/osp.h also at <osp/osp.h> directly under include/.
install(FILES ${PROJECT_SOURCE_DIR}/runtime/include/osp/osp.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/osp)
install(EXPORT ospTargets NAMESPACE osp:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/osp)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ospConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/ospConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/osp)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ospConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ospConfig.cmake ${PROJECT_BINARY_DIR}/ospConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/OspLeakCheck.cmake ${PROJECT_SOURCE_DIR}/cmake/OspLeakGate.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/osp)

# Relocatable: the prefix is found from the .pc file's own directory.
file(RELATIVE_PATH OSP_PC_PREFIX_FROM_PCDIR "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
foreach(library osp ospdebug)
  if(NOT TARGET ${library})
    continue()
  endif()
  set(OSP_PC_NAME ${library})
  if(library STREQUAL ospdebug)
    set(OSP_PC_DESCRIPTION "osp debug runtime: guarded heap, error reports, leak snapshots")
    set(OSP_PC_PRIVATE_LIBS "${OSP_DEBUG_PC_PRIVATE_LIBS}")
  else()
    set(OSP_PC_DESCRIPTION "osp tiered memory pool")
    set(OSP_PC_PRIVATE_LIBS "-lpthread")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/osp.pc.in ${PROJECT_BINARY_DIR}/${library}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${library}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
