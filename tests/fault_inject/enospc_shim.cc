// An LD_PRELOAD shim that makes the disk look full, for the disk-full tests
// (tests/fault_test.cc), without root or a small file system.
//
// While the file named by DEPOSITD_FAULT_ENOSPC_TRIGGER exists, every write
// or sync of a REGULAR file — write, pwrite, writev, pwritev, fallocate,
// posix_fallocate, fsync, fdatasync — fails with ENOSPC and writes nothing.
// Standard streams (fds 0-2), sockets, pipes and eventfds are never
// touched, so gRPC and the daemon's log keep working. Without the variable
// the shim passes everything through.
//
// When DEPOSITD_FAULT_ENOSPC_COUNT_FILE is set, each injected failure
// appends one byte to that file (its size is the number of failures), so a
// test can report how often the fault hit.
//
// Usage: LD_PRELOAD=libdepositd_enospc_shim.so \
//        DEPOSITD_FAULT_ENOSPC_TRIGGER=/tmp/x/disk-full depositd ...
//        touch /tmp/x/disk-full   # disk full from now on
//        rm /tmp/x/disk-full      # space is back
//
// Thread-safe: no state but atomics and the lazily resolved libc entries.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>

namespace {

template <typename Fn>
Fn Real(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

using WriteFn = ssize_t (*)(int, const void*, size_t);

// True when `fd` is a regular file beyond the standard streams and the
// trigger file exists: the call must fail with ENOSPC.
bool Inject(int fd) {
  static const char* const trigger = getenv("DEPOSITD_FAULT_ENOSPC_TRIGGER");
  if (trigger == nullptr || *trigger == '\0' || fd <= 2) return false;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (access(trigger, F_OK) != 0) return false;
  static const char* const count_file =
      getenv("DEPOSITD_FAULT_ENOSPC_COUNT_FILE");
  if (count_file != nullptr && *count_file != '\0') {
    static const WriteFn real_write = Real<WriteFn>("write");
    const int saved = errno;
    const int c =
        open(count_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (c >= 0) {
      if (real_write(c, "x", 1) < 0) {
        // Counting is best effort.
      }
      close(c);
    }
    errno = saved;
  }
  errno = ENOSPC;
  return true;
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t n) {
  static const WriteFn real = Real<WriteFn>("write");
  if (Inject(fd)) return -1;
  return real(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  using Fn = ssize_t (*)(int, const void*, size_t, off_t);
  static const Fn real = Real<Fn>("pwrite");
  if (Inject(fd)) return -1;
  return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
  using Fn = ssize_t (*)(int, const void*, size_t, off64_t);
  static const Fn real = Real<Fn>("pwrite64");
  if (Inject(fd)) return -1;
  return real(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
  using Fn = ssize_t (*)(int, const struct iovec*, int);
  static const Fn real = Real<Fn>("writev");
  if (Inject(fd)) return -1;
  return real(fd, iov, count);
}

ssize_t pwritev(int fd, const struct iovec* iov, int count, off_t off) {
  using Fn = ssize_t (*)(int, const struct iovec*, int, off_t);
  static const Fn real = Real<Fn>("pwritev");
  if (Inject(fd)) return -1;
  return real(fd, iov, count, off);
}

ssize_t pwritev64(int fd, const struct iovec* iov, int count, off64_t off) {
  using Fn = ssize_t (*)(int, const struct iovec*, int, off64_t);
  static const Fn real = Real<Fn>("pwritev64");
  if (Inject(fd)) return -1;
  return real(fd, iov, count, off);
}

int fallocate(int fd, int mode, off_t off, off_t len) {
  using Fn = int (*)(int, int, off_t, off_t);
  static const Fn real = Real<Fn>("fallocate");
  if (Inject(fd)) return -1;
  return real(fd, mode, off, len);
}

int fallocate64(int fd, int mode, off64_t off, off64_t len) {
  using Fn = int (*)(int, int, off64_t, off64_t);
  static const Fn real = Real<Fn>("fallocate64");
  if (Inject(fd)) return -1;
  return real(fd, mode, off, len);
}

int posix_fallocate(int fd, off_t off, off_t len) {
  using Fn = int (*)(int, off_t, off_t);
  static const Fn real = Real<Fn>("posix_fallocate");
  if (Inject(fd)) return ENOSPC;  // returns the error, errno untouched
  return real(fd, off, len);
}

int posix_fallocate64(int fd, off64_t off, off64_t len) {
  using Fn = int (*)(int, off64_t, off64_t);
  static const Fn real = Real<Fn>("posix_fallocate64");
  if (Inject(fd)) return ENOSPC;
  return real(fd, off, len);
}

int fsync(int fd) {
  using Fn = int (*)(int);
  static const Fn real = Real<Fn>("fsync");
  if (Inject(fd)) return -1;
  return real(fd);
}

int fdatasync(int fd) {
  using Fn = int (*)(int);
  static const Fn real = Real<Fn>("fdatasync");
  if (Inject(fd)) return -1;
  return real(fd);
}

}  // extern "C"
