# Finds every third-party dependency once. Debian 12 package names are in
# installer/deps-debian.sh; Homebrew names in installer/deps-macos.sh.
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Network HttpServer Test)
if(PAAS_WITH_UI)
  find_package(Qt6 6.4 REQUIRED COMPONENTS Gui Widgets WebEngineWidgets)
endif()

find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
# Debian's CMake config for cnats points at a missing static library; use pkg-config.
pkg_check_modules(LIBNATS REQUIRED IMPORTED_TARGET libnats)
pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
pkg_check_modules(PROTOBUF REQUIRED IMPORTED_TARGET protobuf)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
find_package(nlohmann_json 3.10 REQUIRED)

find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp REQUIRED)
add_library(valijson INTERFACE)
target_include_directories(valijson SYSTEM INTERFACE ${VALIJSON_INCLUDE_DIR})

find_program(PROTOC_EXECUTABLE protoc REQUIRED)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
