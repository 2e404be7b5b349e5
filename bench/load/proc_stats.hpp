#pragma once

#include <cstdint>
#include <optional>

namespace zeal::bench::load {

/// utime + stime of a process in seconds (/proc/PID/stat); nullopt if unreadable.
std::optional<double> process_cpu_s(int pid);
/// VmRSS of a process in bytes (/proc/PID/status); nullopt if unreadable.
std::optional<std::uint64_t> process_rss_bytes(int pid);
/// This process's user + system CPU seconds (getrusage).
double self_cpu_s();
/// Open file descriptors of this process (/proc/self/fd entries).
int self_fd_count();

}  // namespace zeal::bench::load
