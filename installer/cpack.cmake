# CPack (make package): a .deb on Linux, a .dmg on macOS. Included from the
# top-level CMakeLists.txt after installer/ (its install rules).
set(CPACK_PACKAGE_NAME paas)
set(CPACK_PACKAGE_VENDOR "The paas authors")
set(CPACK_PACKAGE_CONTACT "${PAAS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "local developer PaaS in one desktop app")
set(CPACK_PACKAGE_DESCRIPTION
"Register an app with a small YAML or JSON spec and paas creates git
repositories for its source and its Kubernetes manifests, builds container
images through BuildKit (or plain artifacts), renders and deploys the
manifests and promotes them between environments. One process holds the
engine, a supervised nats-server JetStream child, the JSON API, the web UI in
a desktop window and a tray icon; `paas --headless` (or the systemd user unit
paas.service) runs it without a window.")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR})
set(CPACK_STRIP_FILES ON)
# cpack's install step must not build `all` (every test, the bench): make
# package builds the installed targets itself.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_SOURCE_IGNORE_FILES "/build.*/;/\\\\.git/")

if(APPLE)
  # Version from git describe, made plain for Info.plist / the .dmg name.
  set(CPACK_PACKAGE_VERSION ${PAAS_BUILD_VERSION})
  set(CPACK_GENERATOR DragNDrop)
  set(CPACK_DMG_VOLUME_NAME "paas ${PAAS_BUILD_VERSION}")
  set(CPACK_DMG_FORMAT UDZO)
  set(CPACK_PACKAGE_FILE_NAME "paas-${PAAS_BUILD_VERSION}-macos")
  set(CPACK_STRIP_FILES OFF)   # the bundle is signed after macdeployqt; stripping would break the signature
else()
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGE_VERSION ${PAAS_DEB_VERSION})   # 0.1.0+207.gc6a5573 (cmake/BuildInfo.cmake)
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)          # paas_<version>_<arch>.deb
  set(CPACK_DEBIAN_PACKAGE_SECTION devel)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://paas.dev/")
  # Libraries: dpkg-shlibdeps over bin/paas and paas_desktop.so. Plus what is
  # not linked: the JetStream server paas supervises, Qt's SVG plugins (the
  # icons) and QtWebEngineProcess (the window's renderer).
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "nats-server, libqt6svg6, libqt6webenginecore6-bin")
  # BuildKit builds (the Docker engine's), the git CLI for commits in the
  # project repos, curl used by the repos' git hooks.
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "docker.io | docker-ce, git, curl")
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/installer/linux/postrm)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
endif()

include(CPack)
