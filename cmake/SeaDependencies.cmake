# Finds every third-party dependency from Debian 12 packages. A missing one fails configuration
# with one line naming the dependency and the apt package that provides it
# (scripts/setup.sh installs them all).
include_guard(GLOBAL)
find_package(PkgConfig)

function(sea_missing what apt_pkg)
  message(FATAL_ERROR
    "sea-chaos: ${what} not found. Install it with: sudo apt-get install -y ${apt_pkg} "
    "(or run scripts/setup.sh, which installs every build dependency).")
endfunction()

if(NOT PkgConfig_FOUND)
  sea_missing("pkg-config" "pkg-config")
endif()

find_package(GTest CONFIG QUIET)
if(NOT GTest_FOUND)
  find_package(GTest QUIET)
endif()
if(NOT TARGET GTest::gtest)
  sea_missing("GoogleTest" "libgtest-dev libgmock-dev")
endif()

find_package(CURL QUIET)
if(NOT CURL_FOUND)
  sea_missing("libcurl" "libcurl4-openssl-dev")
endif()

find_package(PostgreSQL QUIET)
if(NOT PostgreSQL_FOUND)
  sea_missing("libpq (PostgreSQL client library)" "libpq-dev")
endif()

find_package(fmt CONFIG QUIET)
if(NOT fmt_FOUND)
  sea_missing("fmt" "libfmt-dev")
endif()

find_package(nlohmann_json CONFIG QUIET)
if(NOT nlohmann_json_FOUND)
  sea_missing("nlohmann-json" "nlohmann-json3-dev")
endif()

# Boost.Process is header-only but needs Boost.Filesystem (and System) at link time.
find_package(Boost 1.74 QUIET COMPONENTS filesystem system)
if(NOT Boost_FOUND)
  sea_missing("Boost.Process/Boost.Filesystem" "libboost-dev libboost-filesystem-dev")
endif()

# cnats: its Debian CMake config names libnats_static.a, which is not shipped; use pkg-config.
pkg_check_modules(NATS QUIET IMPORTED_TARGET libnats)
if(NOT NATS_FOUND)
  sea_missing("cnats (NATS C client)" "libnats-dev")
endif()

pkg_check_modules(HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
if(NOT HTTPLIB_FOUND)
  sea_missing("cpp-httplib" "libcpp-httplib-dev")
endif()

find_package(Threads REQUIRED)
