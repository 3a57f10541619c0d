// SPDX-License-Identifier: MIT
// usertests group "xv6": the names xv6's own tests (its usertests, the MIT
// labs' cowtest and mmaptest) use, which must build against user/user.h
// unchanged and mean what they mean there (docs/semantics.md section 8).
// The includes are in the order those programs have them, riscv.h both
// before and after user/user.h, and MAP_FAILED is defined here again as
// the mmap lab's test does: this file not building is the first failure.
#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/stat.h"
#include "user/usertests/ut.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "kernel/memlayout.h"

#define MAP_FAILED ((char *)-1)

// pause is sleep; sbrklazy grows the heap lazily as sbrk does; a failed
// sbrk returns SBRK_ERROR.
static int
t_calls(void)
{
  char *brk = sbrk(0), *p;

  TL_CHECK(pause(1) == 0, "pause: %s", strerror(errno));
  TL_CHECK((p = sbrklazy(PGSIZE)) == brk, "sbrklazy returned %p, break %p",
           p, brk);
  TL_CHECK(*p == 0 && sbrk(0) == brk + PGSIZE, "the new page");
  TL_CHECK(sbrk(-(int)(PGSIZE + (brk - (char *)0) + PGSIZE)) == SBRK_ERROR,
           "sbrk below the heap did not fail");
  TL_CHECK(sbrk(-PGSIZE) == brk + PGSIZE, "shrinking back");
  TL_CHECK(mmap(0, PGSIZE, PROT_READ, MAP_PRIVATE, 1000, 0) == MAP_FAILED,
           "mmap of a bad descriptor did not return MAP_FAILED");
  return 0;
}

// The layout names: user space ends at MAXVA, xv6's TRAMPOLINE and
// TRAPFRAME pages are its top two (never mapped here: ptr.top_pages), the
// stack is below them, the kernel above.
static int
t_layout(void)
{
  uint64 sp = r_sp();

  TL_CHECK(MAXVA == MAXUVA && TRAMPOLINE == MAXVA - PGSIZE &&
           TRAPFRAME == TRAMPOLINE - PGSIZE, "MAXVA, TRAMPOLINE, TRAPFRAME");
  TL_CHECK(sp < TRAPFRAME && sp > TRAPFRAME - (16ul << 20), "sp %p", (void *)sp);
  TL_CHECK(KERNBASE >= MAXVA && PHYSTOP > KERNBASE, "KERNBASE, PHYSTOP");
  TL_CHECK(PGROUNDUP(1) == PGSIZE && PGROUNDDOWN(PGSIZE + 1) == PGSIZE &&
           (1 << PGSHIFT) == PGSIZE, "PGROUNDUP, PGROUNDDOWN, PGSHIFT");
  return 0;
}

// xv6's tests open README; the image has it beside README.md, the same.
static int
t_readme(void)
{
  struct stat a, b;

  TL_CHECK(stat("README", &a) == 0 && stat("README.md", &b) == 0,
           "stat: %s", strerror(errno));
  TL_CHECK(a.type == T_FILE && a.size == b.size && a.size > 0,
           "README %lu bytes, README.md %lu", (unsigned long)a.size,
           (unsigned long)b.size);
  return 0;
}

// xv6's BSIZE and MAXFILE (kernel/fs.h): the MIT mmap lab's test file,
// PGSIZE / BSIZE * 1.5 blocks of BSIZE bytes, is a page and a half, and a
// file of MAXFILE blocks written BSIZE bytes at a time (usertests'
// writebig) fits and reads back block by block.
static char xv6_buf[BSIZE];

static int
t_fs_names(void)
{
  int n = PGSIZE / BSIZE, fd, i;

  TL_CHECK(BSIZE == 1024 && (n + n / 2) * BSIZE == PGSIZE + PGSIZE / 2,
           "BSIZE %d: the mmap lab's file is %d bytes", BSIZE, (n + n / 2) * BSIZE);
  TL_CHECK((fd = open("ut-xv6big", O_CREATE | O_TRUNC | O_RDWR)) >= 0,
           "create: %s", strerror(errno));
  for (i = 0; i < MAXFILE; i++) {
    ((int *)xv6_buf)[0] = i;
    if (write(fd, xv6_buf, BSIZE) != BSIZE)
      break;
  }
  close(fd);
  TL_CHECK(i == MAXFILE, "write of block %d of %d: %s", i, MAXFILE,
           strerror(errno));
  TL_CHECK((fd = open("ut-xv6big", O_RDONLY)) >= 0, "open: %s", strerror(errno));
  for (i = 0; read(fd, xv6_buf, BSIZE) == BSIZE && ((int *)xv6_buf)[0] == i; i++)
    ;
  close(fd);
  unlink("ut-xv6big");
  TL_CHECK(i == MAXFILE, "read back %d blocks of %d", i, MAXFILE);
  return 0;
}

void
ut_xv6(void)
{
  tl_run_child("calls", t_calls);
  tl_run("layout", t_layout);
  tl_run("readme", t_readme);
  tl_run("fs_names", t_fs_names);
}
