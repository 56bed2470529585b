// Defines TempDirForTest: a fresh directory under the system temporary directory, removed with
// everything in it when the object goes away.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace tern::dom0::diskimage {

class TempDirForTest {
  public:
    TempDirForTest() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("diskimage-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDirForTest() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDirForTest(const TempDirForTest&) = delete;
    TempDirForTest& operator=(const TempDirForTest&) = delete;

    [[nodiscard]] std::filesystem::path file(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

}  // namespace tern::dom0::diskimage
