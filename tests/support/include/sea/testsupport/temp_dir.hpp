// A temporary directory removed (recursively) on destruction.
#pragma once

#include <string>

namespace sea::testsupport {

class TempDir {
 public:
  // Creates /tmp/<prefix>XXXXXX with mode 0700. When owner_user is non-empty and we run as root,
  // the directory is chown'ed to that user (e.g. "postgres"). Throws std::runtime_error on failure.
  explicit TempDir(const std::string& prefix, const std::string& owner_user = "");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  // Writes a file inside the directory (owned by the directory's owner) and returns its path.
  std::string write_file(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
  std::string owner_;
};

// chown path to user (no-op when not root or user is empty). Throws on failure.
void chown_to_user(const std::string& path, const std::string& user);

}  // namespace sea::testsupport
