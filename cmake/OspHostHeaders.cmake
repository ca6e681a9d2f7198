# Header-only libraries of the build machine for a cross build (nlohmann/json, CLI11): the
# cross sysroot has no copy of them. Each one's folder is linked into the build tree and
# only that link is put on the include path, so no other host header can shadow one of the
# target's. osp_host_header_target(<target> <folder under /usr/include>) makes an
# INTERFACE library <target> with that include path.
function(osp_host_header_target target folder)
  if(TARGET ${target})
    return()
  endif()
  find_path(osp_host_${folder}_root ${folder} PATHS /usr/include /usr/local/include
            NO_CMAKE_FIND_ROOT_PATH NO_DEFAULT_PATH)
  if(NOT osp_host_${folder}_root)
    message(FATAL_ERROR "osp: the build machine has no ${folder} headers (scripts/install-deps.sh)")
  endif()
  set(links ${CMAKE_BINARY_DIR}/host-headers/${folder}-only)
  file(MAKE_DIRECTORY ${links})
  file(CREATE_LINK ${osp_host_${folder}_root}/${folder} ${links}/${folder} SYMBOLIC)
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${links})
endfunction()
