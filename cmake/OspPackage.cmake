# A Debian package of the whole install (cpack -G DEB in the build folder): the
# libraries, headers, CMake package with the leak-gate functions, pkg-config files,
# osp-leakview and its man page. Runtime dependencies come from dpkg-shlibdeps; what a
# user's build against the package needs (a compiler, CMake or pkg-config) is suggested.
find_program(OSP_HELP2MAN help2man)
if(OSP_HELP2MAN AND TARGET osp-leakview AND NOT CMAKE_CROSSCOMPILING)
  # The man page is osp-leakview's own --help, so the two never disagree.
  set(osp_man_page ${PROJECT_BINARY_DIR}/man/osp-leakview.1)
  add_custom_command(OUTPUT ${osp_man_page}
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
                     COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
                             ${OSP_HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
                             --name "read, diff, gate and merge osp leak snapshots"
                             --output ${osp_man_page} $<TARGET_FILE:osp-leakview>
                     DEPENDS osp-leakview VERBATIM)
  add_custom_target(osp_man_pages ALL DEPENDS ${osp_man_page})
  install(FILES ${osp_man_page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME osp)
set(CPACK_PACKAGE_VENDOR "osp")
set(CPACK_PACKAGE_CONTACT "osp maintainers <osp@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake (>= 3.22), pkg-config, g++")
# The static libospdebug links these; find_package(osp) asks for Threads only.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libunwind-dev")
set(CPACK_PACKAGE_DESCRIPTION
    "libosp (tiered memory pool), libospdebug (sanitizer-style debug runtime with leak snapshots), \
their headers, CMake package (with the CI leak-gate functions) and pkg-config files, and osp-leakview.")
include(CPack)
