/*
 * fsutil.c - file system helpers (see fsutil.h): whole-file read, atomic
 * write, mkdir -p, path pieces, and ** globbing over a project tree.
 */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Sets *err (when err is not NULL) to "what PATH: strerror(errnum)". */
static int fail(char **err, const char *what, const char *path, int errnum)
{
    if (err) *err = xasprintf("%s %s: %s", what, path, strerror(errnum));
    return -1;
}

/* ================================================================ reading */

char *fs_read(const char *path, size_t *len, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail(err, "cannot read", path, errno);
        return NULL;
    }
    /* The size is a hint only: files can grow while read, and /proc files say 0. */
    struct stat st;
    size_t cap = 4096;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        cap = (size_t)st.st_size + 1;
    char *buf = xmalloc(cap);
    size_t n = 0;
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            fail(err, "cannot read", path, e);
            return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

/* ================================================================ writing */

/* The process umask, read without changing it (umask(2) can only be read by
 * setting it, which races with other threads creating files). */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (f) {
        char line[256];
        unsigned int mask;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "Umask: %o", &mask) == 1) {
                fclose(f);
                return (mode_t)mask;
            }
        fclose(f);
    }
    mode_t m = umask(022);
    umask(m);
    return m;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* fsyncs a folder so that a rename inside it survives a crash. File systems
 * that cannot sync folders say EINVAL; that is not an error. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc != 0 && (e == EINVAL || e == ENOTSUP)) rc = 0;
    errno = e;
    return rc;
}

/* Writes data to a temp file next to path, then renames it over path. When
 * path is a symlink the file it points to is replaced, not the link. */
int fs_stage(fs_staged *st, const char *path, const char *data, size_t len, char **err)
{
    memset(st, 0, sizeof(*st));
    struct stat info;
    char *target = NULL;
    if (lstat(path, &info) == 0 && S_ISLNK(info.st_mode)) target = realpath(path, NULL);
    if (!target) target = xstrdup(path);
    mode_t mode;
    if (stat(target, &info) == 0) mode = info.st_mode & 07777;
    else mode = 0644 & ~current_umask();
    char *dir = fs_dirname(target);
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    char *tmp = xasprintf("%s/.%s.tmpXXXXXX", dir, base);
    free(dir);
    int e = 0, fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) e = errno;
    else if (write_all(fd, data, len) != 0 || fchmod(fd, mode) != 0 || fsync(fd) != 0) e = errno;
    if (fd >= 0 && close(fd) != 0 && !e) e = errno;
    if (e) {
        if (fd >= 0) unlink(tmp);
        free(tmp);
        free(target);
        return fail(err, "cannot write", path, e);
    }
    st->path = xstrdup(path);
    st->target = target;
    st->tmp = tmp;
    return 0;
}

int fs_commit(fs_staged *st, char **err)
{
    int e = 0;
    if (rename(st->tmp, st->target) != 0) {
        e = errno;
        unlink(st->tmp);
    } else {
        /* the new content is in place; only its durability is at stake */
        char *dir = fs_dirname(st->target);
        if (sync_dir(dir) != 0) e = errno;
        free(dir);
    }
    int rc = e ? fail(err, "cannot write", st->path, e) : 0;
    free(st->path);
    free(st->target);
    free(st->tmp);
    memset(st, 0, sizeof(*st));
    return rc;
}

void fs_discard(fs_staged *st)
{
    if (st->tmp) unlink(st->tmp);
    free(st->path);
    free(st->target);
    free(st->tmp);
    memset(st, 0, sizeof(*st));
}

int fs_write_atomic(const char *path, const char *data, size_t len, char **err)
{
    fs_staged st;
    if (fs_stage(&st, path, data, len, err) < 0) return -1;
    return fs_commit(&st, err);
}

/* ================================================================ folders */

int fs_mkdirs(const char *path, char **err)
{
    if (!*path) return fail(err, "cannot create folder", path, ENOENT);
    char *p = xstrdup(path);
    /* Create each prefix ending before a '/', then the whole path. */
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s) continue;
        char c = *s;
        *s = 0;
        /* An existing folder is fine, whatever mkdir says (EEXIST, or
         * EACCES/EROFS on a folder we may not write). */
        if (mkdir(p, 0777) != 0) {
            int e = errno;
            if (!fs_is_dir(p)) {
                fail(err, "cannot create folder", p, e == EEXIST ? ENOTDIR : e);
                free(p);
                return -1;
            }
        }
        *s = c;
        if (!c) break;
        while (s[1] == '/') s++;
        if (!s[1]) break; /* trailing slash */
    }
    free(p);
    return 0;
}

bool fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ================================================================ paths */

char *fs_join(const char *a, const char *b)
{
    if (b[0] == '/' || !a[0]) return xstrdup(b);
    if (!b[0]) return xstrdup(a);
    size_t n = strlen(a);
    if (a[n - 1] == '/') return xasprintf("%s%s", a, b);
    return xasprintf("%s/%s", a, b);
}

char *fs_dirname(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;    /* trailing slashes */
    while (n > 0 && path[n - 1] != '/') n--;    /* the last name */
    if (n == 0) return xstrdup(".");
    while (n > 1 && path[n - 1] == '/') n--;    /* slashes before it */
    return xstrndup(path, n);
}

/* ================================================================ glob */

/* A path split at '/' into segments, skipping empty and "." segments. The
 * segments point into buf, which the split owns. */
typedef struct segs {
    char *buf;
    VEC(const char *) s;
} segs;

static void segs_split(segs *g, const char *path)
{
    g->buf = xstrdup(path);
    g->s.v = NULL;
    g->s.n = g->s.cap = 0;
    for (char *tok = strtok(g->buf, "/"); tok; tok = strtok(NULL, "/"))
        if (strcmp(tok, ".") != 0) VEC_PUSH(&g->s, tok);
}

static void segs_free(segs *g)
{
    free(g->buf);
    VEC_FREE(&g->s);
}

static bool has_wildcard(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* Folders tarn never enters unless a pattern segment names them literally. */
static bool is_private_dir(const char *name)
{
    return strcmp(name, ".git") == 0 || strcmp(name, ".tarn") == 0;
}

/* Does one path segment match one pattern segment? dir says the segment is a
 * folder on the way (not the final name). FNM_PERIOD: a leading '.' must be
 * matched by a '.' in the pattern. */
static bool seg_match(const char *pat, const char *name, bool dir)
{
    if (dir && is_private_dir(name)) return strcmp(pat, name) == 0;
    return fnmatch(pat, name, FNM_PERIOD) == 0;
}

/* Matches path segments r[ri..nr) against pattern segments p[pi..np). With
 * prefix set, r is a folder and the question is whether some path under it
 * could match (so running out of path with pattern left is a yes). A '**'
 * segment matches zero or more folders, none of them hidden; a final '**'
 * matches every file below (one or more segments). */
static bool match_segs(const char *const *p, size_t np, size_t pi, const char *const *r,
                       size_t nr, size_t ri, bool prefix)
{
    for (;;) {
        if (ri == nr) return prefix ? pi < np : pi == np;
        if (pi == np) return false;
        if (strcmp(p[pi], "**") == 0) {
            if (pi + 1 == np) {
                for (size_t k = ri; k < nr; k++)
                    if (r[k][0] == '.') return false;
                return true;
            }
            for (size_t k = ri; k <= nr; k++) {
                if (match_segs(p, np, pi + 1, r, nr, k, prefix)) return true;
                if (k < nr && r[k][0] == '.') return false;
            }
            return false;
        }
        bool dir = prefix || ri + 1 < nr;
        if (!seg_match(p[pi], r[ri], dir)) return false;
        pi++;
        ri++;
    }
}

bool fs_glob_match(const char *pattern, const char *rel)
{
    segs p, r;
    segs_split(&p, pattern);
    segs_split(&r, rel);
    bool ok = p.s.n > 0 && match_segs(p.s.v, p.s.n, 0, r.s.v, r.s.n, 0, false);
    segs_free(&p);
    segs_free(&r);
    return ok;
}

/* Joins n segments with '/'; caller frees. */
static char *segs_join(const char *const *s, size_t n)
{
    sb b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) sb_addc(&b, '/');
        sb_add(&b, s[i]);
    }
    return sb_take(&b);
}

typedef struct walk {
    const char *root;
    const segs *pat;
    VEC(const char *) rel; /* segments of the path being looked at */
    strvec found;
} walk;

/* Lists one folder (relpath relative to root, "" for root), adding matching
 * files and descending into folders a match could be under. Symlinks to
 * folders are not followed, so link loops cannot trap the walk. */
static int walk_dir(walk *w, const char *relpath, char **err)
{
    char *abs = relpath[0] ? fs_join(w->root, relpath) : xstrdup(w->root);
    DIR *d = opendir(abs);
    if (!d) {
        int e = errno;
        int rc = 0;
        /* Only the root itself must be listable; a sub-folder may vanish
         * meanwhile or be unreadable, and is then skipped. */
        if (!relpath[0]) rc = fail(err, "cannot list", abs, e);
        free(abs);
        return rc;
    }
    strvec names = {0};
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            VEC_PUSH(&names, xstrdup(de->d_name));
    closedir(d);

    int rc = 0;
    const segs *p = w->pat;
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        char *full = fs_join(abs, names.v[i]);
        struct stat st;
        bool is_dir = false, is_file = false;
        if (lstat(full, &st) == 0) {
            if (S_ISDIR(st.st_mode)) is_dir = true;
            else if (S_ISREG(st.st_mode)) is_file = true;
            else if (S_ISLNK(st.st_mode) && stat(full, &st) == 0) is_file = S_ISREG(st.st_mode);
        }
        free(full);

        VEC_PUSH(&w->rel, names.v[i]);
        if (is_file && match_segs(p->s.v, p->s.n, 0, w->rel.v, w->rel.n, 0, false))
            VEC_PUSH(&w->found, segs_join(w->rel.v, w->rel.n));
        if (is_dir && match_segs(p->s.v, p->s.n, 0, w->rel.v, w->rel.n, 0, true)) {
            char *sub = segs_join(w->rel.v, w->rel.n);
            rc = walk_dir(w, sub, err);
            free(sub);
        }
        w->rel.n--;
    }
    strvec_free(&names);
    free(abs);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool strvec_has(const strvec *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0) return true;
    return false;
}

int fs_glob(const char *root, const char *pattern, strvec *out, char **err)
{
    segs pat;
    segs_split(&pat, pattern);
    walk w = {.root = root, .pat = &pat};
    int rc = 0;

    if (!fs_is_dir(root)) {
        rc = fail(err, "cannot list", root, fs_exists(root) ? ENOTDIR : ENOENT);
    } else if (pat.s.n == 0) {
        /* An empty pattern matches nothing. */
    } else if (!has_wildcard(pattern)) {
        /* A plain path names one file: look it up directly (this also finds
         * files under symlinked folders and in folders a walk skips). */
        char *rel = segs_join(pat.s.v, pat.s.n);
        char *abs = fs_join(root, rel);
        struct stat st;
        if (stat(abs, &st) == 0 && S_ISREG(st.st_mode)) VEC_PUSH(&w.found, rel);
        else free(rel);
        free(abs);
    } else {
        rc = walk_dir(&w, "", err);
    }

    if (rc == 0) {
        if (w.found.n) qsort(w.found.v, w.found.n, sizeof(char *), cmp_str);
        for (size_t i = 0; i < w.found.n; i++) {
            if (strvec_has(out, w.found.v[i])) {
                free(w.found.v[i]);
            } else {
                VEC_PUSH(out, w.found.v[i]);
            }
            w.found.v[i] = NULL;
        }
    }
    strvec_free(&w.found);
    VEC_FREE(&w.rel);
    segs_free(&pat);
    return rc;
}
