#pragma once

// A temporary directory for one test (mkdtemp under /tmp), removed with everything in it at the end.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace zeal::test {

class temp_dir {
 public:
  /// Creates /tmp/<prefix>_XXXXXX; path() is empty if that failed (the test then fails on use).
  explicit temp_dir(const std::string& prefix) {
    std::string tmpl = "/tmp/" + prefix + "_XXXXXX";
    if (char* d = mkdtemp(tmpl.data())) path_ = d;
  }
  ~temp_dir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace zeal::test
