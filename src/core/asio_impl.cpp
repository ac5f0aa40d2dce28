// Compiles Asio's and Beast's non-template implementation exactly once for the whole program
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are set project-wide),
// which keeps every other translation unit that uses them faster to build.
#include "core/asio.h"

#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
