/* Included before sqlite3.c when building SQLite 3.40 for wasm32-wasi
 * (build-libs.sh). SQLite learned about WASI only in 3.41; these fill the
 * gaps in wasi-libc that the unix VFS references. No lock is ever taken
 * (the default VFS is "unix-none": src/sqlite-wasi-init.c), and WASI has no
 * file ownership or modes, so the stubs below are never asked to do work
 * that matters. */
#ifndef CAPSULE_SQLITE_WASI_H
#define CAPSULE_SQLITE_WASI_H
#include <fcntl.h>
#include <sys/types.h>
#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif
static int capsule_sqlite_fchmod(int fd, mode_t mode) { (void)fd; (void)mode; return 0; }
static int capsule_sqlite_fchown(int fd, uid_t uid, gid_t gid) { (void)fd; (void)uid; (void)gid; return 0; }
static uid_t capsule_sqlite_geteuid(void) { return 1000; } /* the task's uid (stdlib-extra/pwd.py) */
#define fchmod capsule_sqlite_fchmod
#define fchown capsule_sqlite_fchown
#define geteuid capsule_sqlite_geteuid
#endif
