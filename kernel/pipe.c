// SPDX-License-Identifier: MIT
// Pipes: a ring buffer, in a page of its own, between a read end and a
// write end.
//
// Interface: pipealloc makes the two files; piperead blocks until data is
// there or every writer has closed (then it returns 0, end of file);
// pipewrite blocks while the ring is full and fails with -EPIPE once every
// reader has closed. Both return early with -EINTR if the process is
// killed while waiting. A read returns what is there (at least one byte),
// a write returns only when everything is written. A write of at most
// PIPE_CHUNK bytes lands in the ring in one piece, never interleaved with
// another writer's bytes (POSIX's PIPE_BUF guarantee).
//
// User memory is never touched with the pipe's spin mutex held: a copy may
// fault and sleep in vm_fault. Data goes through a bounce buffer on the
// kernel stack, PIPE_CHUNK bytes at a time; a writer waits until a whole
// chunk fits. A read whose copyout faults loses the bytes it took from the
// ring and returns -EFAULT.
//
// The ring: nread and nwrite count bytes ever read and written, modulo
// 2^32 (harmless: PIPESIZE divides 2^32); the ring is empty when they are
// equal, full when they differ by PIPESIZE.
//
// Locking: pi->lock (p) protects everything in the pipe; readers sleep on
// &pi->nread, writers on &pi->nwrite.
#include "file.h"

#include "lib/errno.h"
#include "lib/kassert.h"
#include "proc.h"
#include "uaccess.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"

#define PIPE_CHUNK 512          // PIPE_BUF: writes this small are atomic
#define PIPESIZE   2048u        // a power of two: see the ring comment

struct pipe {
  struct mtx lock;
  struct vm_page *page;         // (c) the page this struct lives in
  uint32_t nread;               // (p) bytes read
  uint32_t nwrite;              // (p) bytes written
  bool readopen;                // (p) the read end is still open
  bool writeopen;               // (p) the write end is still open
  uint8_t data[PIPESIZE];       // (p) the ring
};
CTASSERT(sizeof(struct pipe) <= PAGE_SIZE);
CTASSERT(PIPE_CHUNK <= PIPESIZE);

int pipealloc(struct file **rf, struct file **wf)
{
  *rf = filealloc();
  *wf = *rf != NULL ? filealloc() : NULL;
  struct vm_page *m = *wf != NULL ? vm_page_alloc_contig(0) : NULL;
  if (m == NULL) {
    int err = *wf == NULL ? -ENFILE : -ENOMEM;
    if (*rf != NULL)
      fileclose(*rf);           // type FD_NONE: just frees the slot
    if (*wf != NULL)
      fileclose(*wf);
    return err;
  }
  struct pipe *pi = pmap_page_kva(m);
  mtx_init(&pi->lock, "pipe");
  pi->page = m;
  pi->nread = pi->nwrite = 0;
  pi->readopen = pi->writeopen = true;

  **rf = (struct file){ .type = FD_PIPE, .ref = 1, .readable = true, .pipe = pi };
  **wf = (struct file){ .type = FD_PIPE, .ref = 1, .writable = true, .pipe = pi };
  return 0;
}

void pipeclose(struct pipe *pi, bool writable)
{
  mtx_lock(&pi->lock);
  if (writable) {
    pi->writeopen = false;
    wakeup(&pi->nread);
  } else {
    pi->readopen = false;
    wakeup(&pi->nwrite);
  }
  bool last = !pi->readopen && !pi->writeopen;
  mtx_unlock(&pi->lock);
  if (last)
    vm_page_free_contig(pi->page, 0);
}

// Put buf[0..n) into the ring in one piece, sleeping until there is room
// for all of it (n <= PIPE_CHUNK <= PIPESIZE). Returns n, -EPIPE when the
// reader went away, or -EINTR when we were killed. Requires pi->lock.
static int pipe_put_locked(struct pipe *pi, const uint8_t *buf, int n)
{
  KASSERT(n <= PIPE_CHUNK, ("pipe_put_locked: %d bytes", n));
  for (;;) {
    if (!pi->readopen)
      return -EPIPE;
    if (killed(myproc()))
      return -EINTR;
    if (PIPESIZE - (pi->nwrite - pi->nread) >= (uint32_t)n)
      break;
    wakeup(&pi->nread);
    sleep(&pi->nwrite, &pi->lock);
  }
  for (int k = 0; k < n; k++)
    pi->data[pi->nwrite++ % PIPESIZE] = buf[k];
  return n;
}

int pipewrite(struct pipe *pi, uint64_t addr, int n)
{
  uint8_t buf[PIPE_CHUNK];
  int done = 0;
  while (done < n) {
    int m = MIN(n - done, PIPE_CHUNK);
    if (copyin(buf, addr + done, m) < 0)
      return done > 0 ? done : -EFAULT;
    mtx_lock(&pi->lock);
    int r = pipe_put_locked(pi, buf, m);
    wakeup(&pi->nread);
    mtx_unlock(&pi->lock);
    if (r < 0)
      return done > 0 ? done : r;
    done += r;
  }
  return done;
}

int piperead(struct pipe *pi, uint64_t addr, int n)
{
  uint8_t buf[PIPE_CHUNK];
  mtx_lock(&pi->lock);
  while (pi->nread == pi->nwrite && pi->writeopen) {
    if (killed(myproc())) {
      mtx_unlock(&pi->lock);
      return -EINTR;
    }
    sleep(&pi->nread, &pi->lock);
  }
  // Drain what is there, a bounce buffer at a time, without waiting again.
  int done = 0;
  while (done < n && pi->nread != pi->nwrite) {
    int m = 0;
    while (done + m < n && m < PIPE_CHUNK && pi->nread != pi->nwrite)
      buf[m++] = pi->data[pi->nread++ % PIPESIZE];
    wakeup(&pi->nwrite);
    mtx_unlock(&pi->lock);
    if (copyout(addr + done, buf, m) < 0)
      return done > 0 ? done : -EFAULT;
    done += m;
    mtx_lock(&pi->lock);
  }
  wakeup(&pi->nwrite);
  mtx_unlock(&pi->lock);
  return done;
}
