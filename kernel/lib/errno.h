// SPDX-License-Identifier: MIT
// Error numbers. The kernel returns them negated from system calls; the user
// library stores them, positive, in errno. Values follow Linux/FreeBSD where
// they agree, so programs and test suites read the familiar numbers.
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#define EPERM         1   // operation not permitted
#define ENOENT        2   // no such file or directory
#define ESRCH         3   // no such process
#define EINTR         4   // interrupted system call
#define EIO           5   // input/output error
#define ENXIO         6   // no such device or address
#define E2BIG         7   // argument list too long
#define ENOEXEC       8   // exec format error
#define EBADF         9   // bad file descriptor
#define ECHILD       10   // no child processes
#define EAGAIN       11   // resource temporarily unavailable
#define ENOMEM       12   // cannot allocate memory
#define EACCES       13   // permission denied
#define EFAULT       14   // bad address
#define EBUSY        16   // device or resource busy
#define EEXIST       17   // file exists
#define EXDEV        18   // cross-device link
#define ENODEV       19   // operation not supported by device
#define ENOTDIR      20   // not a directory
#define EISDIR       21   // is a directory
#define EINVAL       22   // invalid argument
#define ENFILE       23   // too many open files in system
#define EMFILE       24   // too many open files
#define ENOTTY       25   // inappropriate ioctl for device
#define ETXTBSY      26   // text file busy
#define EFBIG        27   // file too large
#define ENOSPC       28   // no space left on device
#define ESPIPE       29   // illegal seek
#define EROFS        30   // read-only file system
#define EMLINK       31   // too many links
#define EPIPE        32   // broken pipe
#define ERANGE       34   // result too large
#define ENAMETOOLONG 36   // file name too long
#define ENOSYS       38   // function not implemented
#define ENOTEMPTY    39   // directory not empty
#define ELAST        39

#endif
