// osp-leakview's output files on Windows (see output_file.hpp): the temporary is created
// with CREATE_NEW (never opening what is already there), flushed, and moved over the
// output with MoveFileEx(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH).
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <io.h>

#include <cstdio>
#include <random>

#include "output_file.hpp"
#include "snapshot.hpp"

namespace leakview {

bool stdout_is_terminal() { return _isatty(_fileno(stdout)) != 0; }

void write_file_atomically(const std::string& path, const std::string& text) {
    std::random_device random;
    std::string temporary;
    HANDLE file = INVALID_HANDLE_VALUE;
    for (int attempt = 0; attempt < 16 && file == INVALID_HANDLE_VALUE; ++attempt) {
        char suffix[17];
        std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
        temporary = path + ".tmp." + suffix;
        file = CreateFileA(temporary.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
        if (file == INVALID_HANDLE_VALUE && GetLastError() != ERROR_FILE_EXISTS) break;
    }
    if (file == INVALID_HANDLE_VALUE)
        throw InputError(path, "write", "cannot create a temporary file (error " + std::to_string(GetLastError()) + ")");
    std::size_t written = 0;
    while (written < text.size()) {
        const DWORD chunk = text.size() - written > (1u << 30) ? (1u << 30) : static_cast<DWORD>(text.size() - written);
        DWORD got = 0;
        if (!WriteFile(file, text.data() + written, chunk, &got, nullptr) || got == 0) break;
        written += got;
    }
    const bool complete = written == text.size() && FlushFileBuffers(file);
    CloseHandle(file);
    if (!complete || !MoveFileExA(temporary.c_str(), path.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        const DWORD error = GetLastError();
        DeleteFileA(temporary.c_str());
        throw InputError(path, "write", "cannot write the output file (error " + std::to_string(error) + ")");
    }
}

}  // namespace leakview
