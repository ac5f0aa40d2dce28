# Imported targets for the project's dependencies. Everything is linked from static archives:
# Debian's (mbedTLS, zstd, LMDB) and the ones scripts/deps.sh builds from the pinned Debian sources
# (libcurl, simdjson). GoogleTest and Google Benchmark are only for tests and benchmarks.

find_package(Boost 1.74 REQUIRED)
add_library(ecs_boost INTERFACE)
target_include_directories(ecs_boost SYSTEM INTERFACE ${Boost_INCLUDE_DIRS})
# Asio and Beast are compiled once (src/core/asio_impl.cpp) instead of in every translation unit.
target_compile_definitions(ecs_boost INTERFACE
  BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_DISABLE_BOOST_COROUTINE BOOST_BEAST_USE_STD_STRING_VIEW)
find_package(Threads REQUIRED)
target_link_libraries(ecs_boost INTERFACE Threads::Threads)

function(ecs_static_library target header libname)
  find_path(${target}_INCLUDE ${header} REQUIRED)
  find_library(${target}_LIBRARY NAMES lib${libname}.a REQUIRED)
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION ${${target}_LIBRARY})
  target_include_directories(${target} SYSTEM INTERFACE ${${target}_INCLUDE})
endfunction()

ecs_static_library(ecs_mbedcrypto mbedtls/version.h mbedcrypto)
ecs_static_library(ecs_mbedx509 mbedtls/x509_crt.h mbedx509)
ecs_static_library(ecs_mbedtls_ssl mbedtls/ssl.h mbedtls)
target_link_libraries(ecs_mbedx509 INTERFACE ecs_mbedcrypto)
target_link_libraries(ecs_mbedtls_ssl INTERFACE ecs_mbedx509 Threads::Threads)
add_library(ecs_mbedtls INTERFACE)
target_link_libraries(ecs_mbedtls INTERFACE ecs_mbedtls_ssl)

ecs_static_library(ecs_zstd zstd.h zstd)
# LMDB: the durable state store (state/lmdb_repository). Debian's liblmdb-dev ships liblmdb.a.
ecs_static_library(ecs_lmdb lmdb.h lmdb)
target_link_libraries(ecs_lmdb INTERFACE Threads::Threads)

# Source-built dependencies: their prefixes come from `scripts/deps.sh prefix NAME`.
set(ECS_CURL_PREFIX "" CACHE PATH "install prefix of the minimal static libcurl")
set(ECS_SIMDJSON_PREFIX "" CACHE PATH "install prefix of the static simdjson")
foreach(dep CURL SIMDJSON)
  if(NOT EXISTS "${ECS_${dep}_PREFIX}/.complete")
    message(FATAL_ERROR "ECS_${dep}_PREFIX='${ECS_${dep}_PREFIX}' is not a built dependency; "
      "run `scripts/deps.sh install` and configure through the Makefile")
  endif()
endforeach()

add_library(ecs_curl STATIC IMPORTED GLOBAL)
set_target_properties(ecs_curl PROPERTIES IMPORTED_LOCATION ${ECS_CURL_PREFIX}/lib/libcurl.a)
target_include_directories(ecs_curl SYSTEM INTERFACE ${ECS_CURL_PREFIX}/include)
target_compile_definitions(ecs_curl INTERFACE CURL_STATICLIB)
target_link_libraries(ecs_curl INTERFACE ecs_mbedtls Threads::Threads)

add_library(ecs_simdjson STATIC IMPORTED GLOBAL)
set_target_properties(ecs_simdjson PROPERTIES IMPORTED_LOCATION ${ECS_SIMDJSON_PREFIX}/lib/libsimdjson.a)
target_include_directories(ecs_simdjson SYSTEM INTERFACE ${ECS_SIMDJSON_PREFIX}/include)
target_compile_definitions(ecs_simdjson INTERFACE SIMDJSON_THREADS_ENABLED=0)
