// SPDX-License-Identifier: MIT
// sh: the shell.
//
//   sh [script]     read commands from script, or from standard input
//
// One line is a list of pipelines separated by ';' (run in order) or ending
// in '&' (run in the background). A pipeline is commands joined by '|'; a
// command is words plus redirections '< file', '> file' (truncate) and
// '>> file' (append). Words may be quoted with '...' or "..." to keep
// spaces and operators; '#' at the start of a word begins a comment.
// `cd [dir]` and `exit [status]` are built in. A program name without '/'
// that is not found in the current directory is looked up in '/'.
//
// A line is parsed in two steps: sh_lex() splits it into tokens (copying
// unquoted words into a separate buffer), then sh_parse() groups tokens
// into struct shcmd records. Each pipeline's commands are forked with
// pipes between them and the shell waits for exactly those pids; a
// background pipeline runs under a forked copy of the shell that waits for
// it, so foreground waits reap it later. The prompt "$ " is printed only
// when standard input is the console, so `sh < /autorun` output stays clean.
#include "user/user.h"

#define SH_LINE    512   // longest input line
#define SH_MAXTOK  128   // tokens per line
#define SH_MAXARGS 32    // words per command
#define SH_MAXCMDS 16    // commands per line
#define SH_PATH    128   // longest program path tried

enum { TOK_WORD, TOK_PIPE, TOK_IN, TOK_OUT, TOK_APPEND, TOK_SEMI, TOK_AMP };

struct shtok {
  int kind;      // TOK_*
  char *word;    // TOK_WORD: the unquoted text
};

struct shcmd {
  char *argv[SH_MAXARGS + 1];   // NULL-terminated
  int argc;
  char *in;        // '<' file, or NULL
  char *out;       // '>' or '>>' file, or NULL
  int append;      // out was given with '>>'
  int piped;       // stdout feeds the next command's stdin
  int background;  // last of a pipeline that ended with '&'
};

static int sh_interactive;

static int
sh_isspace(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
sh_isop(char c)
{
  return c == '|' || c == '<' || c == '>' || c == ';' || c == '&';
}

// Copy one word starting at *pp into *wp, removing quotes. Advances both.
// Returns -1 on an unterminated quote.
static int
sh_lex_word(const char **pp, char **wp)
{
  const char *p = *pp;
  char *w = *wp;
  char q;

  while (*p != '\0' && !sh_isspace(*p) && !sh_isop(*p)) {
    if (*p == '\'' || *p == '"') {
      q = *p++;
      while (*p != '\0' && *p != q)
        *w++ = *p++;
      if (*p++ != q)
        return -1;
    } else {
      *w++ = *p++;
    }
  }
  *w++ = '\0';
  *pp = p;
  *wp = w;
  return 0;
}

// Split line into toks; words are stored in words (at least as long as
// line plus one byte per token). Returns the token count, or -1 with a
// message printed.
static int
sh_lex(const char *line, struct shtok *toks, char *words)
{
  const char *p = line;
  int n = 0;

  for (;;) {
    while (sh_isspace(*p))
      p++;
    if (*p == '\0' || *p == '#')
      return n;
    if (n == SH_MAXTOK) {
      fprintf(STDERR_FILENO, "sh: line too complex\n");
      return -1;
    }
    toks[n].word = NULL;
    switch (*p) {
    case '|': toks[n].kind = TOK_PIPE; p++; break;
    case '<': toks[n].kind = TOK_IN; p++; break;
    case ';': toks[n].kind = TOK_SEMI; p++; break;
    case '&': toks[n].kind = TOK_AMP; p++; break;
    case '>':
      toks[n].kind = p[1] == '>' ? TOK_APPEND : TOK_OUT;
      p += p[1] == '>' ? 2 : 1;
      break;
    default:
      toks[n].kind = TOK_WORD;
      toks[n].word = words;
      if (sh_lex_word(&p, &words) < 0) {
        fprintf(STDERR_FILENO, "sh: unterminated quote\n");
        return -1;
      }
    }
    n++;
  }
}

// Add token t to command c. Redirections take the next token (*i moves).
// Returns -1 on a syntax error.
static int
sh_parse_tok(struct shtok *toks, int ntok, int *i, struct shcmd *c)
{
  struct shtok *t = &toks[*i];

  if (t->kind == TOK_WORD) {
    if (c->argc == SH_MAXARGS)
      return -1;
    c->argv[c->argc++] = t->word;
    return 0;
  }
  if (*i + 1 >= ntok || toks[*i + 1].kind != TOK_WORD)
    return -1;
  (*i)++;
  if (t->kind == TOK_IN) {
    c->in = toks[*i].word;
  } else {
    c->out = toks[*i].word;
    c->append = t->kind == TOK_APPEND;
  }
  return 0;
}

// Group tokens into commands. Returns the command count, or -1 with a
// message printed. A trailing ';' is allowed; empty commands are not.
static int
sh_parse(struct shtok *toks, int ntok, struct shcmd *cmds)
{
  struct shcmd *c;
  int i = 0, n = 0, k;

  while (i < ntok) {
    if (n == SH_MAXCMDS)
      goto bad;
    c = &cmds[n++];
    memset(c, 0, sizeof(*c));
    for (; i < ntok && toks[i].kind != TOK_PIPE && toks[i].kind != TOK_SEMI &&
           toks[i].kind != TOK_AMP; i++) {
      if (sh_parse_tok(toks, ntok, &i, c) < 0)
        goto bad;
    }
    if (c->argc == 0)
      goto bad;
    if (i < ntok) {
      k = toks[i++].kind;
      c->piped = k == TOK_PIPE;
      c->background = k == TOK_AMP;
      if (c->piped && i == ntok)
        goto bad;
    }
  }
  return n;
bad:
  fprintf(STDERR_FILENO, "sh: syntax error\n");
  return -1;
}

// Make the file at path descriptor fd (0 or 1), in a child. Exits on
// failure.
static void
sh_redirect(int fd, const char *path, int mode, int append)
{
  close(fd);
  if (open(path, mode) != fd) {
    fprintf(STDERR_FILENO, "sh: cannot open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  if (append)
    lseek(fd, 0, SEEK_END);
}

// In a child: apply redirections and exec; never returns.
static void
sh_exec(struct shcmd *c)
{
  char path[SH_PATH];

  if (c->in != NULL)
    sh_redirect(STDIN_FILENO, c->in, O_RDONLY, 0);
  if (c->out != NULL)
    sh_redirect(STDOUT_FILENO, c->out,
                O_WRONLY | O_CREATE | (c->append ? 0 : O_TRUNC), c->append);
  exec(c->argv[0], c->argv);
  if (errno == ENOENT && strchr(c->argv[0], '/') == NULL &&
      strlen(c->argv[0]) + 2 <= sizeof(path)) {
    path[0] = '/';
    strcpy(path + 1, c->argv[0]);
    exec(path, c->argv);
  }
  fprintf(STDERR_FILENO, "sh: %s: %s\n", c->argv[0], strerror(errno));
  exit(1);
}

// Make fd become descriptor target (0 or 1) and close fd.
static void
sh_move_fd(int fd, int target)
{
  close(target);
  dup(fd);
  close(fd);
}

// Run cmds[0..n) as one pipeline and wait for all of them. Returns the last
// command's exit status (or -1 if it could not be started).
static int
sh_pipeline(struct shcmd *cmds, int n)
{
  int pids[SH_MAXCMDS], p[2], prev = -1, started = 0, status = -1;
  int k, pid, st, last = -1;

  for (k = 0; k < n; k++) {
    p[0] = p[1] = -1;
    if (k + 1 < n && pipe(p) < 0) {
      fprintf(STDERR_FILENO, "sh: pipe: %s\n", strerror(errno));
      break;
    }
    pid = fork();
    if (pid == 0) {
      if (prev >= 0)
        sh_move_fd(prev, STDIN_FILENO);
      if (p[1] >= 0) {
        close(p[0]);
        sh_move_fd(p[1], STDOUT_FILENO);
      }
      sh_exec(&cmds[k]);
    }
    if (pid < 0)
      fprintf(STDERR_FILENO, "sh: fork: %s\n", strerror(errno));
    else
      pids[started++] = last = pid;
    if (prev >= 0)
      close(prev);
    if (p[1] >= 0)
      close(p[1]);
    prev = p[0];
    if (pid < 0)
      break;
  }
  if (prev >= 0)
    close(prev);
  while (started > 0 && (pid = wait(&st)) >= 0) {
    for (k = 0; k < started; k++) {
      if (pids[k] == pid) {
        pids[k] = pids[--started];
        if (pid == last)
          status = st;
        break;
      }
    }
  }
  return status;
}

// Built-in commands. Returns 1 if c was one (and has been run).
static int
sh_builtin(struct shcmd *c)
{
  const char *dir;

  if (strcmp(c->argv[0], "cd") == 0) {
    dir = c->argc > 1 ? c->argv[1] : "/";
    if (chdir(dir) < 0)
      fprintf(STDERR_FILENO, "sh: cd %s: %s\n", dir, strerror(errno));
    return 1;
  }
  if (strcmp(c->argv[0], "exit") == 0)
    exit(c->argc > 1 ? atoi(c->argv[1]) : 0);
  return 0;
}

// Run every pipeline of a parsed line.
static void
sh_run(struct shcmd *cmds, int n)
{
  int i = 0, j, pid;

  while (i < n) {
    for (j = i; cmds[j].piped; j++)
      ;
    if (!cmds[j].background) {
      if (j > i || !sh_builtin(&cmds[i]))
        sh_pipeline(&cmds[i], j - i + 1);
    } else if ((pid = fork()) == 0) {
      sh_pipeline(&cmds[i], j - i + 1);
      exit(0);
    } else if (pid < 0) {
      fprintf(STDERR_FILENO, "sh: fork: %s\n", strerror(errno));
    } else if (sh_interactive) {
      printf("[%d]\n", pid);
    }
    i = j + 1;
  }
}

int
main(int argc, char *argv[])
{
  static char line[SH_LINE], words[2 * SH_LINE];
  static struct shtok toks[SH_MAXTOK];
  static struct shcmd cmds[SH_MAXCMDS];
  struct stat st;
  int ntok, ncmd;

  if (argc > 1) {
    close(STDIN_FILENO);
    if (open(argv[1], O_RDONLY) != STDIN_FILENO) {
      fprintf(STDERR_FILENO, "sh: cannot open %s\n", argv[1]);
      return 1;
    }
  }
  sh_interactive = fstat(STDIN_FILENO, &st) == 0 && st.type == T_DEVICE;
  for (;;) {
    if (sh_interactive)
      write(STDERR_FILENO, "$ ", 2);
    gets(line, sizeof(line));
    if (line[0] == '\0')
      return 0;
    ntok = sh_lex(line, toks, words);
    if (ntok <= 0)
      continue;
    ncmd = sh_parse(toks, ntok, cmds);
    if (ncmd > 0)
      sh_run(cmds, ncmd);
  }
}
