// osp-leakview's output files on POSIX systems (see output_file.hpp).
#include "output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "snapshot.hpp"

namespace leakview {

bool stdout_is_terminal() { return isatty(fileno(stdout)) == 1; }

// Writes `text` to `path` through a temporary file and a rename: readers never see half a
// file. The temporary gets an unpredictable name and is created, never opened (O_EXCL |
// O_NOFOLLOW), so nothing planted beside the output in a shared folder is followed; it
// reaches the disk before the rename publishes it.
void write_file_atomically(const std::string& path, const std::string& text) {
    std::random_device random;
    std::string temporary;
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
        char suffix[17];
        std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
        temporary = path + ".tmp." + suffix;
        fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) throw InputError(path, "write", std::string("cannot create a temporary file: ") + std::strerror(errno));
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t got = ::write(fd, text.data() + written, text.size() - written);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        written += static_cast<std::size_t>(got);
    }
    const bool complete = written == text.size() && ::fsync(fd) == 0;
    const int error = errno;
    if (::close(fd) != 0 || !complete) {
        std::remove(temporary.c_str());
        throw InputError(path, "write", std::string("cannot write the output file: ") + std::strerror(error));
    }
    std::error_code status;
    std::filesystem::rename(temporary, path, status);
    if (status) {
        std::remove(temporary.c_str());
        throw InputError(path, "write", status.message());
    }
}

}  // namespace leakview
