// SPDX-License-Identifier: MIT
// mkfs: build a file-system image for the kernel on the host.
//
//   mkfs IMAGE FILE...
//
// Writes an image of FSSIZE blocks in the format of kernel/fs.h: the
// superblock, an empty log, the inodes, the bitmap, then a root directory
// holding each FILE under its base name without a leading '_' (the build
// names user programs build/user/_NAME).
//
// The image is assembled in memory and written once at the end. Blocks are
// handed out in order, so the bitmap is simply "the first used blocks".
// Everything is little-endian, as on RISC-V; a big-endian host is refused.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/fs.h"
#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/stat.h"

#define NINODES 512

_Static_assert(BSIZE == 4096, "the file system's own geometry (FS_GEOMETRY)");
_Static_assert(FSSIZE <= BPB, "the kernel wants the bitmap in one block");
_Static_assert(sizeof(struct dinode) == 64, "dinode layout");
_Static_assert(sizeof(struct dirent) == 32, "dirent layout");

static uint8_t *img;              // FSSIZE * BSIZE bytes
static struct superblock sb;
static uint32_t next_block;       // first unused data block
static uint32_t next_inum = 1;    // first unused inode

static void die(const char *what, const char *arg)
{
  fprintf(stderr, "mkfs: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
  exit(1);
}

static uint8_t *block(uint32_t bno)
{
  if (bno >= FSSIZE)
    die("block number out of range", NULL);
  return img + (size_t)bno * BSIZE;
}

static struct dinode *dinode(uint32_t inum)
{
  return (struct dinode *)block(IBLOCK(inum, sb)) + inum % IPB;
}

static uint32_t mkfs_balloc(void)
{
  if (next_block >= FSSIZE)
    die("image full; raise FSSIZE in kernel/param.h", NULL);
  return next_block++;
}

static uint32_t mkfs_ialloc(short type)
{
  if (next_inum >= NINODES)
    die("out of inodes", NULL);
  uint32_t inum = next_inum++;
  struct dinode *dip = dinode(inum);
  memset(dip, 0, sizeof(*dip));
  dip->type = type;
  dip->nlink = 1;
  return inum;
}

// The address in *slot, allocating a block for it if it is empty.
static uint32_t slot_get(uint32_t *slot)
{
  if (*slot == 0)
    *slot = mkfs_balloc();
  return *slot;
}

// The disk block of file block bn of inode dip, allocated on demand.
static uint32_t mkfs_bmap(struct dinode *dip, uint32_t bn)
{
  if (bn < NDIRECT)
    return slot_get(&dip->addrs[bn]);
  bn -= NDIRECT;
  if (bn < NINDIRECT) {
    uint32_t *ind = (uint32_t *)block(slot_get(&dip->addrs[NDIRECT]));
    return slot_get(&ind[bn]);
  }
  bn -= NINDIRECT;
  if (bn >= NDINDIRECT)
    die("file too big", NULL);
  uint32_t *top = (uint32_t *)block(slot_get(&dip->addrs[NDIRECT + 1]));
  uint32_t *mid = (uint32_t *)block(slot_get(&top[bn / NINDIRECT]));
  return slot_get(&mid[bn % NINDIRECT]);
}

// Append n bytes to inode inum.
static void iappend(uint32_t inum, const void *data, size_t n)
{
  struct dinode *dip = dinode(inum);
  const uint8_t *p = data;
  while (n > 0) {
    uint32_t off = dip->size;
    uint32_t m = BSIZE - off % BSIZE;
    if (m > n)
      m = (uint32_t)n;
    memcpy(block(mkfs_bmap(dip, off / BSIZE)) + off % BSIZE, p, m);
    dip->size += m;
    p += m;
    n -= m;
  }
}

// Is name already in directory dir?
static int dir_has(uint32_t dir, const char *name)
{
  struct dinode *dip = dinode(dir);
  for (uint32_t off = 0; off < dip->size; off += sizeof(struct dirent)) {
    const struct dirent *de = (const struct dirent *)
        (block(mkfs_bmap(dip, off / BSIZE)) + off % BSIZE);
    if (de->inum != 0 && strncmp(de->name, name, DIRSIZ) == 0)
      return 1;
  }
  return 0;
}

static void dir_add(uint32_t dir, const char *name, uint32_t inum)
{
  struct dirent de;
  memset(&de, 0, sizeof(de));
  if (strlen(name) > DIRSIZ)
    die("name longer than DIRSIZ", name);
  if (dir_has(dir, name))
    die("two files with the same name", name);
  memcpy(de.name, name, strlen(name));   // NUL-padded by the memset
  de.inum = (uint16_t)inum;
  iappend(dir, &de, sizeof(de));
}

// Copy the host file path into the root directory.
static void add_file(uint32_t root, const char *path)
{
  const char *name = strrchr(path, '/');
  name = name ? name + 1 : path;
  if (name[0] == '_')
    name++;
  if (name[0] == '\0')
    die("empty file name", path);

  FILE *f = fopen(path, "rb");
  if (f == NULL)
    die("cannot open", path);
  uint32_t inum = mkfs_ialloc(T_FILE);
  dir_add(root, name, inum);
  static uint8_t buf[BSIZE];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    iappend(inum, buf, n);
  if (ferror(f))
    die("cannot read", path);
  fclose(f);
}

// Lay out the superblock: boot, super, log, inodes, bitmap, data.
static void layout(void)
{
  uint32_t ninodeblocks = NINODES / IPB + 1;
  uint32_t nbitmap = FSSIZE / BPB + 1;
  uint32_t nlog = LOGBLOCKS + 1;
  uint32_t nmeta = 2 + nlog + ninodeblocks + nbitmap;

  sb.magic = FSMAGIC;
  sb.size = FSSIZE;
  sb.nblocks = FSSIZE - nmeta;
  sb.ninodes = NINODES;
  sb.nlog = nlog;
  sb.logstart = 2;
  sb.inodestart = 2 + nlog;
  sb.bmapstart = 2 + nlog + ninodeblocks;
  next_block = nmeta;
  memcpy(block(1), &sb, sizeof(sb));
  printf("mkfs: %u blocks of %u bytes: %u meta (log %u, inodes %u, bitmap %u), "
         "%u data\n", FSSIZE, BSIZE, nmeta, nlog, ninodeblocks, nbitmap,
         sb.nblocks);
}

// Mark blocks [0, next_block) used.
static void write_bitmap(void)
{
  uint8_t *bm = block(sb.bmapstart);
  for (uint32_t b = 0; b < next_block; b++)
    bm[b / 8] |= 1u << (b % 8);
}

int main(int argc, char *argv[])
{
  uint32_t probe = 1;
  if (*(uint8_t *)&probe != 1)
    die("big-endian hosts are not supported", NULL);
  if (argc < 2) {
    fprintf(stderr, "usage: mkfs IMAGE FILE...\n");
    return 2;
  }
  img = calloc(FSSIZE, BSIZE);
  if (img == NULL)
    die("out of memory", NULL);
  layout();

  uint32_t root = mkfs_ialloc(T_DIR);
  if (root != ROOTINO)
    die("root is not ROOTINO", NULL);
  dir_add(root, ".", root);
  dir_add(root, "..", root);
  for (int i = 2; i < argc; i++)
    add_file(root, argv[i]);
  write_bitmap();
  printf("mkfs: %d files, %u of %u blocks used\n", argc - 2, next_block, FSSIZE);

  FILE *out = fopen(argv[1], "wb");
  if (out == NULL)
    die("cannot create", argv[1]);
  if (fwrite(img, BSIZE, FSSIZE, out) != FSSIZE || fclose(out) != 0)
    die("cannot write", argv[1]);
  free(img);
  return 0;
}
