// SPDX-License-Identifier: MIT
// Helpers shared by the files of the pctests suite (user/pctests.c).
#ifndef USER_PCTESTS_H
#define USER_PCTESTS_H

void pc_pattern(char *buf, int n, int seed);
int pc_make_file(const char *path, int n, int seed);
int pc_read_at(const char *path, int off, char *buf, int n);
int pc_run_capture(char **argv, char *buf, int max, int *status);
void pc_group_mmap(void);
void pc_group_advice(void);
void pc_group_reclaim(void);
void pc_group_trunc(void);
void pc_group_cache(void);

#endif
