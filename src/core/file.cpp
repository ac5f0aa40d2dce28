#include "core/file.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace ecs {

Result<std::string> read_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec) return make_error(from_std(ec), "cannot read '" + path + "': " + ec.message());
  if (fs::is_directory(st)) {
    return make_error(errc::make_error_code(errc::is_a_directory),
                      "cannot read '" + path + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(errc::make_error_code(errc::permission_denied),
                      "cannot read '" + path + "': open failed");
  }
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return make_error(errc::make_error_code(errc::io_error), "cannot read '" + path + "': read failed");
  }
  return content;
}

}  // namespace ecs
