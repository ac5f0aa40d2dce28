// Reading whole files with errors that name the file and say why it could not be read.
#pragma once

#include <string>

#include "core/error.h"

namespace ecs {

// The file's bytes. Errors carry the OS error code and "cannot read '<path>': <reason>".
Result<std::string> read_file(const std::string& path);

}  // namespace ecs
