# Script mode: writes the git commit of the source tree into OUT, touching it only on change,
# so that a new commit re-links the binary without re-running CMake.
execute_process(COMMAND git -C "${SRC}" rev-parse --short=8 HEAD
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
endif()
execute_process(COMMAND git -C "${SRC}" status --porcelain --untracked-files=no
  OUTPUT_VARIABLE status ERROR_QUIET RESULT_VARIABLE rc)
if(rc EQUAL 0 AND NOT status STREQUAL "")
  set(dirty true)
else()
  set(dirty false)
endif()
file(WRITE "${OUT}.tmp"
  "// Generated at build time; never committed.\n#pragma once\n"
  "#define ECS_GIT_COMMIT \"${commit}\"\n#define ECS_GIT_DIRTY ${dirty}\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
