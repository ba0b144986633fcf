// Temporary directories (see temp_dir.hpp).
#include "sea/testsupport/temp_dir.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace sea::testsupport {

void chown_to_user(const std::string& path, const std::string& user) {
  if (user.empty() || ::geteuid() != 0) return;
  const passwd* entry = ::getpwnam(user.c_str());
  if (entry == nullptr) throw std::runtime_error("chown: no such user '" + user + "'");
  if (::chown(path.c_str(), entry->pw_uid, entry->pw_gid) != 0) {
    throw std::runtime_error("chown " + path + " to " + user + ": " + std::strerror(errno));
  }
}

TempDir::TempDir(const std::string& prefix, const std::string& owner_user) : owner_(owner_user) {
  std::string pattern = "/tmp/" + prefix + "XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  path_ = buffer.data();
  chown_to_user(path_, owner_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write_file(const std::string& name, const std::string& content) const {
  const std::string file = path_ + "/" + name;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + file);
    out << content;
  }
  chown_to_user(file, owner_);
  return file;
}

}  // namespace sea::testsupport
