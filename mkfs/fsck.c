// SPDX-License-Identifier: MIT
// fsck IMAGE: check a file system image the kernel has used, on the host.
//
// It does what the kernel's boot does first -- install a committed
// transaction left in the log -- then checks, in memory (the image is not
// changed):
//
//   - every block a file or directory holds (data, indirect, doubly
//     indirect) lies in the data area, is marked used in the bitmap, and
//     belongs to nothing else;
//   - every data block the bitmap marks used belongs to some inode
//     (otherwise the disk has leaked it);
//   - every directory entry names an inode in use, and each inode's link
//     count is the number of entries naming it (a directory: its name,
//     plus the ".." of each subdirectory);
//   - every inode in use is in some directory, unless its link count is 0:
//     a file that was open when the machine stopped after it was removed
//     (the kernel frees those when the last descriptor closes, so only a
//     crash or a power-off leaves one; reported, not an error).
//
// Prints one line per problem, then "fsck: IMAGE: ok (...)" and exits 0,
// or "fsck: IMAGE: N problems" and exits 1. scripts/crash-test.sh and
// scripts/qemu-suite.sh run it on every disk a boot leaves.
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/fs.h"
#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/stat.h"

_Static_assert(BSIZE == 4096, "the file system's own geometry (FS_GEOMETRY)");

static uint8_t *img;                  // the whole image
static uint32_t nimg;                 // its blocks
static struct superblock sb;
static uint8_t *refs;                 // per block: how many places hold it
static uint16_t *links;               // per inode: directory entries naming it
static uint8_t *seen;                 // per inode: reached from the root
static int problems;

static void problem(const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  printf("fsck: ");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  problems++;
}

static uint8_t *block(uint32_t b)
{
  return img + (size_t)b * BSIZE;
}

static struct dinode *dinode(uint32_t inum)
{
  return (struct dinode *)block(IBLOCK(inum, sb)) + inum % IPB;
}

static int bitmap_used(uint32_t b)
{
  return (block(BBLOCK(b, sb))[(b % BPB) / 8] >> (b % 8)) & 1;
}

static uint32_t data_start(void)
{
  return sb.bmapstart + (sb.size + BPB - 1) / BPB;
}

// A committed transaction still in the log: copy it home, as boot does.
static void replay_log(void)
{
  const uint32_t *lh = (const uint32_t *)block(sb.logstart);

  if (lh[0] == 0)
    return;
  if (lh[0] >= sb.nlog) {
    problem("the log header counts %u blocks; the log has %u", lh[0], sb.nlog);
    return;
  }
  for (uint32_t i = 0; i < lh[0]; i++) {
    if (lh[1 + i] >= nimg)
      problem("the log sends a block to %u, past the disk", lh[1 + i]);
    else
      memcpy(block(lh[1 + i]), block(sb.logstart + 1 + i), BSIZE);
  }
  printf("fsck: installed a committed transaction of %u blocks from the log\n",
         lh[0]);
}

// Count block b as held by inode inum. Returns whether b may be read.
static int hold(uint32_t inum, uint32_t b)
{
  if (b < data_start() || b >= sb.size) {
    problem("inode %u holds block %u, outside the data area", inum, b);
    return 0;
  }
  if (!bitmap_used(b))
    problem("inode %u holds block %u, which the bitmap says is free", inum, b);
  if (refs[b]++ == 1)
    problem("block %u is held twice (the second time by inode %u)", b, inum);
  return 1;
}

// Hold every block an indirect block ind lists (depth 1: data blocks;
// depth 2: indirect blocks).
static void hold_indirect(uint32_t inum, uint32_t ind, int depth)
{
  const uint32_t *a;

  if (!hold(inum, ind))
    return;
  a = (const uint32_t *)block(ind);
  for (uint32_t i = 0; i < NINDIRECT; i++) {
    if (a[i] == 0)
      continue;
    if (depth == 1)
      hold(inum, a[i]);
    else
      hold_indirect(inum, a[i], depth - 1);
  }
}

static void hold_inode(uint32_t inum, const struct dinode *d)
{
  for (int i = 0; i < NDIRECT; i++)
    if (d->addrs[i] != 0)
      hold(inum, d->addrs[i]);
  if (d->addrs[NDIRECT] != 0)
    hold_indirect(inum, d->addrs[NDIRECT], 1);
  if (d->addrs[NDIRECT + 1] != 0)
    hold_indirect(inum, d->addrs[NDIRECT + 1], 2);
}

// The disk block of file block bn of d, or 0 (a hole, or out of range).
static uint32_t bmap(const struct dinode *d, uint32_t bn)
{
  uint32_t a;

  if (bn < NDIRECT)
    return d->addrs[bn];
  bn -= NDIRECT;
  if (bn < NINDIRECT) {
    a = d->addrs[NDIRECT];
    return a == 0 || a >= nimg ? 0 : ((const uint32_t *)block(a))[bn];
  }
  bn -= NINDIRECT;
  a = d->addrs[NDIRECT + 1];
  if (bn >= NDINDIRECT || a == 0 || a >= nimg)
    return 0;
  a = ((const uint32_t *)block(a))[bn / NINDIRECT];
  return a == 0 || a >= nimg ? 0 : ((const uint32_t *)block(a))[bn % NINDIRECT];
}

// Directory entry k of d, or NULL in a hole.
static const struct dirent *dirent_at(const struct dinode *d, uint32_t k)
{
  uint32_t off = k * sizeof(struct dirent), b = bmap(d, off / BSIZE);

  return b == 0 || b >= nimg ? NULL
                             : (const struct dirent *)(block(b) + off % BSIZE);
}

// Walk the tree from the root, counting the entries that name each inode
// (a directory's own "." and ".." excepted: see links_wanted).
static void walk(uint32_t dir)
{
  const struct dinode *d = dinode(dir);

  seen[dir] = 1;
  for (uint32_t k = 0; k < d->size / sizeof(struct dirent); k++) {
    const struct dirent *e = dirent_at(d, k);
    if (e == NULL || e->inum == 0)
      continue;
    if (e->inum >= sb.ninodes || dinode(e->inum)->type == 0) {
      problem("directory %u names inode %u, which is not in use", dir, e->inum);
      continue;
    }
    if (strncmp(e->name, ".", DIRSIZ) == 0) {
      if (e->inum != dir)
        problem("directory %u: \".\" is inode %u", dir, e->inum);
      continue;
    }
    if (strncmp(e->name, "..", DIRSIZ) == 0) {
      if (dir != ROOTINO)
        links[e->inum]++;
      continue;
    }
    links[e->inum]++;
    if (dinode(e->inum)->type == T_DIR) {
      if (seen[e->inum])
        problem("directory %u is named twice (again in %u)", e->inum, dir);
      else
        walk(e->inum);
    }
  }
}

static void check_inodes(void)
{
  for (uint32_t inum = 1; inum < sb.ninodes; inum++) {
    const struct dinode *d = dinode(inum);
    uint32_t want = links[inum] + (inum == ROOTINO);
    if (d->type == 0)
      continue;
    if (!seen[inum] && links[inum] == 0) {
      if (d->nlink != 0)
        problem("inode %u (type %d, %d links) is in no directory", inum,
                d->type, d->nlink);
      else
        printf("fsck: inode %u is removed but was still open\n", inum);
    } else if ((uint32_t)d->nlink != want) {
      problem("inode %u has %d links; %u entries name it", inum, d->nlink,
              want);
    }
  }
}

static void load(const char *path)
{
  FILE *f = fopen(path, "rb");
  long len;

  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 2 * BSIZE) {
    fprintf(stderr, "fsck: cannot read %s\n", path);
    exit(2);
  }
  nimg = (uint32_t)(len / BSIZE);
  img = malloc((size_t)nimg * BSIZE);
  rewind(f);
  if (img == NULL || fread(img, BSIZE, nimg, f) != nimg) {
    fprintf(stderr, "fsck: cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  memcpy(&sb, block(1), sizeof(sb));
  if (sb.magic != FSMAGIC || sb.size > nimg || sb.ninodes == 0 ||
      sb.bmapstart >= sb.size) {
    fprintf(stderr, "fsck: %s: not a file system image\n", path);
    exit(2);
  }
}

int main(int argc, char *argv[])
{
  uint32_t used = 0;

  if (argc != 2) {
    fprintf(stderr, "usage: fsck IMAGE\n");
    return 2;
  }
  load(argv[1]);
  refs = calloc(sb.size, 1);
  links = calloc(sb.ninodes, sizeof(*links));
  seen = calloc(sb.ninodes, 1);
  if (refs == NULL || links == NULL || seen == NULL)
    return 2;
  replay_log();
  if (dinode(ROOTINO)->type != T_DIR)
    problem("the root is not a directory");
  for (uint32_t inum = 1; inum < sb.ninodes; inum++)
    if (dinode(inum)->type != 0)
      hold_inode(inum, dinode(inum));
  for (uint32_t b = data_start(); b < sb.size; b++) {
    if (bitmap_used(b) && refs[b] == 0)
      problem("block %u is used in the bitmap but held by nothing", b);
    used += bitmap_used(b);
  }
  if (dinode(ROOTINO)->type == T_DIR)
    walk(ROOTINO);
  check_inodes();
  if (problems > 0) {
    printf("fsck: %s: %d problems\n", argv[1], problems);
    return 1;
  }
  printf("fsck: %s: ok (%u data blocks in use)\n", argv[1], used);
  return 0;
}
