// zeal_floor: kernel floor for write() cost on loopback TCP (bench/load/README.md).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct options {
  long connections = 1000;
  double rate = 30000;
  double duration = 10;
  long bytes = 40;
  int writer_cpu = 0;
  int reader_cpu = 1;
  double warmup = 1;
};

bool parse_num(const char* s, double& out) {
  char* end = nullptr;
  out = std::strtod(s, &end);
  return end != s && *end == '\0';
}

int usage(const char* msg) {
  std::fprintf(stderr,
               "zeal_floor: %s\nusage: zeal_floor [--connections N] [--rate R] "
               "[--duration D] [--bytes B] [--writer-cpu C] [--reader-cpu C] "
               "[--warmup S]\n",
               msg);
  return 2;
}

void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) std::perror("sched_setaffinity");
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void run_reader(const options& o, int port) {
  pin(o.reader_cpu);
  int ep = epoll_create1(0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (long i = 0; i < o.connections; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) _exit(1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 && errno != EINPROGRESS) _exit(1);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  static char buf[65536];
  epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, 1000);
    for (int i = 0; i < n; ++i) {
      ssize_t r = read(evs[i].data.fd, buf, sizeof(buf));
      if (r == 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, evs[i].data.fd, nullptr);
        close(evs[i].data.fd);
      }
    }
    if (getppid() == 1) _exit(0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return usage(("missing value for " + a).c_str());
    double v = 0;
    if (!parse_num(argv[++i], v)) return usage(("bad number for " + a).c_str());
    if (a == "--connections" && v >= 1 && v <= 19000)
      o.connections = static_cast<long>(v);
    else if (a == "--rate" && v > 0 && v <= 1e7)
      o.rate = v;
    else if (a == "--duration" && v > 0 && v <= 120)
      o.duration = v;
    else if (a == "--bytes" && v >= 1 && v <= 65536)
      o.bytes = static_cast<long>(v);
    else if (a == "--writer-cpu" && v >= 0 && v < CPU_SETSIZE)
      o.writer_cpu = static_cast<int>(v);
    else if (a == "--reader-cpu" && v >= 0 && v < CPU_SETSIZE)
      o.reader_cpu = static_cast<int>(v);
    else if (a == "--warmup" && v >= 0 && v <= 60)
      o.warmup = v;
    else
      return usage(("unknown option or value out of range: " + a).c_str());
  }
  signal(SIGPIPE, SIG_IGN);
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < static_cast<rlim_t>(o.connections + 64)) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (lfd < 0 || bind(lfd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(lfd, 4096) != 0 ||
      getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("listen");
    return 1;
  }
  pid_t child = fork();
  if (child < 0) {
    std::perror("fork");
    return 1;
  }
  if (child == 0) run_reader(o, ntohs(addr.sin_port));
  pin(o.writer_cpu);
  auto fail = [&](const char* what) {
    std::perror(what);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return 1;
  };
  std::vector<int> fds;
  fds.reserve(static_cast<size_t>(o.connections));
  while (static_cast<long>(fds.size()) < o.connections) {
    int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK);
    if (fd < 0) return fail("accept");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fds.push_back(fd);
  }
  int ep = epoll_create1(0);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  if (ep < 0 || tfd < 0) return fail("epoll/timerfd");
  itimerspec its{};
  its.it_interval.tv_nsec = 1000000;
  its.it_value.tv_nsec = 1000000;
  timerfd_settime(tfd, 0, &its, nullptr);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = tfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  std::vector<char> msg(static_cast<size_t>(o.bytes), 'x');
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto measure_at = start + std::chrono::duration<double>(o.warmup);
  auto end_at = measure_at + std::chrono::duration<double>(o.duration);
  double due = 0;
  size_t next = 0;
  long long writes = 0, measured = 0;
  bool measuring = false;
  double cpu0 = 0;
  clock::time_point t0;
  epoll_event evs[8];
  for (;;) {
    epoll_wait(ep, evs, 8, 100);
    uint64_t ticks = 0;
    if (read(tfd, &ticks, sizeof(ticks)) < 0) ticks = 0;
    auto now = clock::now();
    if (!measuring && now >= measure_at) {
      measuring = true;
      cpu0 = cpu_seconds();
      t0 = now;
      measured = writes;
    }
    if (now >= end_at) break;
    double target = std::chrono::duration<double>(now - start).count() * o.rate;
    while (due < target) {
      if (write(fds[next], msg.data(), msg.size()) > 0) ++writes;
      next = (next + 1) % fds.size();
      due += 1;
    }
  }
  double cpu = cpu_seconds() - cpu0;
  double wall = std::chrono::duration<double>(clock::now() - t0).count();
  long long w = writes - measured;
  std::printf(
      "{\"mode\":\"floor\",\"connections\":%ld,\"writes\":%lld,\"write_per_s\":%.1f,"
      "\"us_per_write\":%.4f,\"bytes\":%ld}\n",
      o.connections, w, wall > 0 ? w / wall : 0.0, w > 0 ? cpu * 1e6 / w : 0.0, o.bytes);
  std::fflush(stdout);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  return 0;
}
