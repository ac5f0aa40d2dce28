#include "execcmd/filesystem.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ecs::execcmd {
namespace {

// Go's syscall error texts are strerror() in lower case: "no such file or directory".
Error os_error(std::string_view op, const std::string& path, int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return make_error(error_code(err, boost::system::system_category()),
                    std::string(op) + " " + path + ": " + text);
}

}  // namespace

Result<std::vector<DirEntry>> RealFileSystem::list_dir(const std::string& path) {
  std::error_code ec;
  std::filesystem::directory_iterator it(path, ec);
  if (ec) return os_error("open", path, ec.value());
  std::vector<DirEntry> out;
  for (const auto& entry : it) {
    std::error_code type_ec;
    // Go's DirEntry.IsDir() does not follow symlinks.
    out.push_back(
        {entry.path().filename().string(), entry.is_directory(type_ec) && !entry.is_symlink(type_ec)});
  }
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Result<FileInfo> RealFileSystem::stat(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return os_error("stat", path, errno);
  return FileInfo{S_ISDIR(st.st_mode), S_ISREG(st.st_mode)};
}

Result<std::string> RealFileSystem::read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error("open", path, errno);
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return os_error("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<void> RealFileSystem::write_file(const std::string& path, std::string_view content, unsigned mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return os_error("open", path, errno);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return os_error("write", path, err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return os_error("close", path, errno);
  return {};
}

Result<void> RealFileSystem::remove_all(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return os_error("unlinkat", path, ec.value());
  return {};
}

Result<void> RealFileSystem::rename(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  if (ec) return os_error("rename", from, ec.value());
  return {};
}

Result<void> RealFileSystem::mkdir_all(const std::string& path, unsigned mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return os_error("mkdir", path, ec.value());
  (void)mode;  // new directories get 0777 & ~umask, i.e. 0755 under the usual umask, as with Go's MkdirAll
  return {};
}

}  // namespace ecs::execcmd
