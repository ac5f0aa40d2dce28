# Script mode: fails unless FILE is a static executable (no program interpreter in its ELF
# program headers, no dynamic section) of at most MAX_BYTES bytes.
execute_process(COMMAND readelf --program-headers --wide "${FILE}"
  OUTPUT_VARIABLE headers RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf failed on ${FILE}")
endif()
if(headers MATCHES "INTERP" OR headers MATCHES "DYNAMIC")
  message(FATAL_ERROR "${FILE} is not statically linked:\n${headers}")
endif()
file(SIZE "${FILE}" size)
if(size GREATER MAX_BYTES)
  message(FATAL_ERROR "${FILE} is ${size} bytes, over the limit of ${MAX_BYTES}")
endif()
message(STATUS "${FILE}: static, ${size} bytes")
