// SPDX-License-Identifier: MIT
// errno and strerror.
//
// errno is set only by a failing system call stub (build/user/usys.S) and
// never cleared by the library, as in C: read it only right after a call
// returned -1. One process has one thread, so a plain int is enough.
#include "user/user.h"

int errno;

// Messages indexed by error number; holes read as NULL.
static const char *const errno_msgs[ELAST + 1] = {
  [0] = "no error",
  [EPERM] = "operation not permitted",
  [ENOENT] = "no such file or directory",
  [ESRCH] = "no such process",
  [EINTR] = "interrupted system call",
  [EIO] = "input/output error",
  [ENXIO] = "no such device or address",
  [E2BIG] = "argument list too long",
  [ENOEXEC] = "exec format error",
  [EBADF] = "bad file descriptor",
  [ECHILD] = "no child processes",
  [EAGAIN] = "resource temporarily unavailable",
  [ENOMEM] = "cannot allocate memory",
  [EACCES] = "permission denied",
  [EFAULT] = "bad address",
  [EBUSY] = "device busy",
  [EEXIST] = "file exists",
  [EXDEV] = "cross-device link",
  [ENODEV] = "operation not supported by device",
  [ENOTDIR] = "not a directory",
  [EISDIR] = "is a directory",
  [EINVAL] = "invalid argument",
  [ENFILE] = "too many open files in system",
  [EMFILE] = "too many open files",
  [ENOTTY] = "inappropriate ioctl for device",
  [ETXTBSY] = "text file busy",
  [EFBIG] = "file too large",
  [ENOSPC] = "no space left on device",
  [ESPIPE] = "illegal seek",
  [EROFS] = "read-only file system",
  [EMLINK] = "too many links",
  [EPIPE] = "broken pipe",
  [ERANGE] = "result too large",
  [ENAMETOOLONG] = "file name too long",
  [ENOSYS] = "function not implemented",
  [ENOTEMPTY] = "directory not empty",
};

// Return a message for err. Unknown numbers share one static buffer, so
// the result is valid until the next such call.
char *
strerror(int err)
{
  static char unknown[32];

  if (err >= 0 && err <= ELAST && errno_msgs[err] != NULL)
    return (char *)errno_msgs[err];
  snprintf(unknown, sizeof(unknown), "unknown error %d", err);
  return unknown;
}
