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
// chunk fits. A reader copies bytes out first and takes them from the ring
// only once they reached the user, so a bad buffer loses nothing: read()
// returns what went out before the first bad page (or -EFAULT), and the
// rest stays in the pipe for the next read. One reader copies at a time
// (reading), so two readers never deliver the same bytes.
//
// The ring: nread and nwrite count bytes ever read and written, modulo
// 2^32 (harmless: PIPESIZE divides 2^32); the ring is empty when they are
// equal, full when they differ by PIPESIZE.
//
// Locking: pi->lock (p) protects everything in the pipe; readers sleep on
// &pi->nread (for data, or for the reader ahead of them), writers on
// &pi->nwrite.
#include "file.h"

#include "lib/errno.h"
#include "lib/kassert.h"
#include "proc.h"
#include "uaccess.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"

#define PIPE_CHUNK 512          // PIPE_BUF: writes this small are atomic
#define PIPESIZE   2048u        // a power of two: see the ring comment

struct pipe {
  struct mtx lock;
  struct vm_page *page;         // (c) the page this struct lives in
  uint32_t nread;               // (p) bytes read
  uint32_t nwrite;              // (p) bytes written
  bool readopen;                // (p) the read end is still open
  bool writeopen;               // (p) the write end is still open
  bool reading;                 // (p) a reader is copying out, lock dropped
  uint8_t data[PIPESIZE];       // (p) the ring
};
CTASSERT(sizeof(struct pipe) <= PAGE_SIZE);
CTASSERT(PIPE_CHUNK <= PIPESIZE);

int pipealloc(struct file **rf, struct file **wf)
{
  *rf = filealloc();
  *wf = *rf != NULL ? filealloc() : NULL;
  struct vm_page *m = NULL;
  int tries = VM_RECLAIM_TRIES;

  while (*wf != NULL && (m = vm_page_alloc_contig(0)) == NULL &&
         vm_pageout_retry(&tries))
    ;
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
  pi->reading = false;

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

// Wait until there is data or no writer left, and no other reader is
// copying. 0, or -EINTR if we were killed meanwhile. Requires pi->lock.
static int pipe_wait_readable(struct pipe *pi)
{
  while (pi->reading || (pi->nread == pi->nwrite && pi->writeopen)) {
    if (killed(myproc()))
      return -EINTR;
    sleep(&pi->nread, &pi->lock);
  }
  return 0;
}

// Copy up to n bytes from the head of the ring into buf, leaving them
// there. Returns how many. Requires pi->lock.
static int pipe_peek_locked(struct pipe *pi, uint8_t *buf, int n)
{
  int m = 0;
  for (; m < n && pi->nread + m != pi->nwrite; m++)
    buf[m] = pi->data[(pi->nread + m) % PIPESIZE];
  return m;
}

// Drain what is there, without waiting again, one bounce buffer at a time
// and never across a user page boundary: a copy that faults then fails a
// whole bad page, after every byte before it has been delivered.
int piperead(struct pipe *pi, uint64_t addr, int n)
{
  uint8_t buf[PIPE_CHUNK];
  int done = 0, err;

  mtx_lock(&pi->lock);
  if ((err = pipe_wait_readable(pi)) < 0) {
    mtx_unlock(&pi->lock);
    return err;
  }
  pi->reading = true;
  while (done < n && pi->nread != pi->nwrite) {
    uint64_t ua = addr + done;
    int want = MIN(n - done, PIPE_CHUNK);
    int m = pipe_peek_locked(pi, buf,
                             MIN(want, (int)(PAGE_SIZE - (ua & PAGE_MASK))));
    mtx_unlock(&pi->lock);
    err = copyout(ua, buf, m);
    mtx_lock(&pi->lock);
    if (err < 0)
      break;
    pi->nread += m;               // delivered: only now out of the ring
    done += m;
    wakeup(&pi->nwrite);
  }
  pi->reading = false;
  wakeup(&pi->nread);             // a reader waiting behind us
  mtx_unlock(&pi->lock);
  return done > 0 || err == 0 ? done : err;
}
