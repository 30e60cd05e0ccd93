/* SQLITE_EXTRA_INIT for the WASI build: "unix-none" (no file locks) becomes
 * the default VFS. WASI has no fcntl locks, so the default "unix" VFS fails
 * every lock. "unix-dotfile" (a mkdir'd lock directory) was the alternative:
 * it cannot open a database on a read-only grant ("database is locked"), and a
 * task killed mid-write leaves the database locked for good. The cost of no
 * locks: two tasks writing one database file on a shared read-write grant at
 * the same time are not serialised (runtime/README.md, compatibility). */
#include "sqlite3.h"

int capsule_sqlite_init(const char *unused) {
    (void)unused;
    sqlite3_vfs *vfs = sqlite3_vfs_find("unix-none");
    return vfs ? sqlite3_vfs_register(vfs, 1) : SQLITE_ERROR;
}
