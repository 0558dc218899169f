# macOS: paas.app and the .dmg (issue 13). NOT BUILT OR RUN on the Linux
# machines this was written on: installer/macos/README.md lists the steps
# and what is unverified.
#
#   bin/paas.app/Contents/MacOS/   paas, paas_desktop.so (the desktop module,
#                                  found beside the executable by app/main.cpp),
#                                  nats-server (found beside the executable
#                                  before PATH, as --nats-server-bin documents)
#   bin/paas.app/Contents/Resources/paas.icns   rendered from resources/icons/paas.svg
#   bin/paas.app/Contents/Info.plist            from installer/macos/Info.plist.in
# `make package` (cpack -G DragNDrop) installs the bundle, runs macdeployqt
# on it (Qt frameworks and plugins, QtWebEngineProcess), signs it ad hoc and
# makes build/paas-<version>-macos.dmg.
set(PAAS_SVG ${PROJECT_SOURCE_DIR}/resources/icons/paas.svg)
set(PAAS_ICONSET ${CMAKE_CURRENT_BINARY_DIR}/paas.iconset)
set(PAAS_ICNS ${CMAKE_CURRENT_BINARY_DIR}/paas.icns)
find_program(PAAS_RSVG_CONVERT rsvg-convert REQUIRED)   # brew install librsvg
find_program(PAAS_ICONUTIL iconutil REQUIRED)            # Xcode command line tools

set(icon_commands "")
foreach(entry 16:icon_16x16 32:icon_16x16@2x 32:icon_32x32 64:icon_32x32@2x 128:icon_128x128
              256:icon_128x128@2x 256:icon_256x256 512:icon_256x256@2x 512:icon_512x512 1024:icon_512x512@2x)
  string(REPLACE ":" ";" entry "${entry}")
  list(GET entry 0 size)
  list(GET entry 1 name)
  list(APPEND icon_commands COMMAND ${PAAS_RSVG_CONVERT} -w ${size} -h ${size} -o ${PAAS_ICONSET}/${name}.png ${PAAS_SVG})
endforeach()
add_custom_command(OUTPUT ${PAAS_ICNS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PAAS_ICONSET}
  ${icon_commands}
  COMMAND ${PAAS_ICONUTIL} -c icns -o ${PAAS_ICNS} ${PAAS_ICONSET}
  DEPENDS ${PAAS_SVG} VERBATIM)
add_custom_target(paas_icns DEPENDS ${PAAS_ICNS})
add_dependencies(paas paas_icns)
target_sources(paas PRIVATE ${PAAS_ICNS})
set_source_files_properties(${PAAS_ICNS} TARGET_DIRECTORY paas PROPERTIES
  MACOSX_PACKAGE_LOCATION Resources GENERATED TRUE)

set_target_properties(paas PROPERTIES
  MACOSX_BUNDLE ON
  MACOSX_BUNDLE_INFO_PLIST ${CMAKE_CURRENT_SOURCE_DIR}/macos/Info.plist.in
  MACOSX_BUNDLE_GUI_IDENTIFIER ${PAAS_APP_ID}
  MACOSX_BUNDLE_BUNDLE_NAME paas
  MACOSX_BUNDLE_BUNDLE_VERSION ${PAAS_BUILD_VERSION}
  MACOSX_BUNDLE_SHORT_VERSION_STRING ${PROJECT_VERSION}
  MACOSX_BUNDLE_ICON_FILE paas.icns
  MACOSX_BUNDLE_COPYRIGHT "The paas authors")
if(TARGET paas_desktop)
  set_target_properties(paas_desktop PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin/paas.app/Contents/MacOS)
endif()

# nats-server inside the bundle, next to the executable.
find_program(PAAS_NATS_SERVER nats-server REQUIRED)      # brew install nats-server
add_custom_target(paas_bundle ALL
  COMMAND ${CMAKE_COMMAND} -E copy_if_different ${PAAS_NATS_SERVER} $<TARGET_BUNDLE_CONTENT_DIR:paas>/MacOS/nats-server
  DEPENDS paas VERBATIM)

install(TARGETS paas BUNDLE DESTINATION .)
install(PROGRAMS ${PAAS_NATS_SERVER} DESTINATION paas.app/Contents/MacOS)
if(TARGET paas_desktop)
  install(TARGETS paas_desktop LIBRARY DESTINATION paas.app/Contents/MacOS)
endif()
# macdeployqt: Qt's frameworks and plugins into the bundle, for the
# executable and for the desktop module (which links Widgets/WebEngine);
# then an ad-hoc signature of the whole bundle (macdeployqt's changes
# invalidate the linker's one).
find_program(PAAS_MACDEPLOYQT macdeployqt HINTS ${Qt6_DIR}/../../../bin REQUIRED)
install(CODE "
  set(app \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/paas.app\")
  execute_process(COMMAND \"${PAAS_MACDEPLOYQT}\" \"\${app}\"
                          \"-executable=\${app}/Contents/MacOS/paas_desktop.so\" -always-overwrite
                  COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND codesign --force --deep --sign - \"\${app}\" COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND codesign --verify --deep --strict \"\${app}\" COMMAND_ERROR_IS_FATAL ANY)
")
