# libFuzzer targets: clang with coverage instrumentation plus ASan and UBSan. Used by `make fuzz`.
# Only the fuzz targets and the libraries they need are built in this configuration.
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_CXX_STANDARD 20 CACHE STRING "")
set(CMAKE_CXX_STANDARD_REQUIRED ON CACHE BOOL "")
set(CMAKE_CXX_EXTENSIONS OFF CACHE BOOL "")
set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "")
# Boost 1.74's Asio enables co_await for clang only with libc++'s <experimental/coroutine>;
# clang 14 with libstdc++'s <coroutine> works, it just has to be told.
set(_ecs_coro "-DBOOST_ASIO_HAS_CO_AWAIT=1 -DBOOST_ASIO_HAS_STD_COROUTINE=1")
# clang 14's -fsanitize=function check cannot compile coroutine frames ("Cannot represent a
# difference across sections"); every other UBSan check stays on, and the GCC sanitizer build
# (linux-sanitize) keeps all of UBSan.
set(_ecs_san "-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-sanitize-recover=all -fno-omit-frame-pointer ${_ecs_coro}")
set(CMAKE_C_FLAGS_INIT "${_ecs_san}")
set(CMAKE_CXX_FLAGS_INIT "${_ecs_san}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fsanitize=address,undefined -fno-sanitize=function")
set(CMAKE_C_FLAGS_RELWITHDEBINFO_INIT "-O1 -g")
set(CMAKE_CXX_FLAGS_RELWITHDEBINFO_INIT "-O1 -g")

set(ECS_WARNING_FLAGS -Wall -Wextra -Werror CACHE STRING "")
set(ECS_PRODUCT_LINK_OPTIONS "" CACHE STRING "")
set(ECS_BUILD_KIND "dynamic (libFuzzer)" CACHE STRING "")
set(ECS_REQUIRE_STATIC OFF CACHE BOOL "")
set(ECS_FUZZ_ONLY ON CACHE BOOL "")
