# AddressSanitizer + UndefinedBehaviorSanitizer build of everything (dynamic: ASan cannot be
# combined with -static). Used by `make asan`; any report fails the test that triggered it.
set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
set(CMAKE_CXX_STANDARD 20 CACHE STRING "")
set(CMAKE_CXX_STANDARD_REQUIRED ON CACHE BOOL "")
set(CMAKE_CXX_EXTENSIONS OFF CACHE BOOL "")
set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "")
set(_ecs_san "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer")
set(CMAKE_C_FLAGS_INIT "${_ecs_san}")
set(CMAKE_CXX_FLAGS_INIT "${_ecs_san}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_ecs_san}")
set(CMAKE_C_FLAGS_RELWITHDEBINFO_INIT "-O1 -g")
set(CMAKE_CXX_FLAGS_RELWITHDEBINFO_INIT "-O1 -g")

# Two GCC diagnostics are false positives in this configuration only; the release build keeps
# both as errors: -Wmaybe-uninitialized is unreliable under sanitizer instrumentation (GCC's
# manual says so) and fires on boost::optional inside Beast's parser; -Wmismatched-new-delete
# fires on Asio's awaitable frames (sized delete paired with unsized new, GCC PR 109224).
set(ECS_WARNING_FLAGS -Wall -Wextra -Werror -Wno-maybe-uninitialized -Wno-mismatched-new-delete CACHE STRING "")
set(ECS_PRODUCT_LINK_OPTIONS "" CACHE STRING "")
set(ECS_BUILD_KIND "dynamic (asan+ubsan)" CACHE STRING "")
set(ECS_REQUIRE_STATIC OFF CACHE BOOL "")
