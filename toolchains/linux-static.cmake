# Release build of the shipped Linux binaries: fully static, stripped, C++20, warnings are errors.
# Used by `make build`; the product executables (ecs-agent, ecs-local-control-plane) get the
# static link, tests and benchmarks link dynamically against the same libraries.
set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
set(CMAKE_CXX_STANDARD 20 CACHE STRING "")
set(CMAKE_CXX_STANDARD_REQUIRED ON CACHE BOOL "")
set(CMAKE_CXX_EXTENSIONS OFF CACHE BOOL "")
set(CMAKE_BUILD_TYPE Release CACHE STRING "")

set(ECS_WARNING_FLAGS -Wall -Wextra -Werror CACHE STRING "warnings for the project's own code")
# Every function and object of the project's own code in a section of its own, so that
# --gc-sections drops the unreferenced ones of our objects as well as of the static archives'
# (measured on 2026-12-04: 7.17 MiB with these flags, 7.97 MiB without, 8.5 MiB without either).
set(CMAKE_C_FLAGS_INIT "-ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "-ffunction-sections -fdata-sections")
set(ECS_PRODUCT_LINK_OPTIONS -static -s -Wl,--gc-sections CACHE STRING "link options of the shipped executables")
set(ECS_BUILD_KIND static CACHE STRING "what --version reports as the build type")
# After linking, fail unless the product has no program interpreter (i.e. really is static).
set(ECS_REQUIRE_STATIC ON CACHE BOOL "")
