// Where the sandbox knowingly differs from native python3, case by case, with
// the exact result a task gets and why. runtime/README.md's compatibility
// table lists each one (compat.test.ts checks both directions).
export interface CaseResult { value?: string; error?: string; stdout?: string }
export interface Difference { sandbox: CaseResult; reason: string }

const WASI_ERRNO = 'WASI numbers errno values its own way (ENOENT 44, EACCES 2, ERANGE 68); errno.ENOENT etc. hold the right values, so code comparing with the errno module works';
const NO_THREADS = 'no threads in the sandbox (one WebAssembly instance, one thread): a task is single-threaded; asyncio works';
const NO_PROCESSES = 'no processes in WASI: a task cannot start programs; use sub-tasks';
const ONE_USER = 'WASI has no users: every task runs as uid/gid 1000 "capsule", home /tmp (stdlib pwd/grp modules of the sandbox)';
const NO_MODULE = 'the module needs the host OS (terminal, signals, memory maps, resource limits, file locks) and is not in the WASI build';

export const DIFFERENCES: Record<string, Difference> = {
  'numeric.overflow': { sandbox: { error: "OverflowError: (68, 'Result not representable')" }, reason: WASI_ERRNO },
  'os_files.missing_file': { sandbox: { error: "FileNotFoundError: [Errno 44] No such file or directory: 'data/nope.txt'" }, reason: WASI_ERRNO },
  'os_files.read_only_grant': { sandbox: { error: "PermissionError: [Errno 2] Permission denied: 'data/new.txt'" }, reason: 'the task was granted data/ read-only (native python3 has no grants)' },
  'os_files.write_outside': { sandbox: { error: "PermissionError: [Errno 76] Capabilities insufficient: '/etc/capsule-test'" }, reason: 'a task reaches only its project, its grants and /tmp' },
  'system.sys_basics': { sandbox: { value: "[(3, 11), 2147483647, 'little', 1000, 1, 'utf-8', 15, 30, 32]" }, reason: 'wasm32: sys.maxsize is 2**31-1 and hashes are 32 bits' },
  'system.sys_platform': { sandbox: { value: "['wasi', 'cpython', '']" }, reason: "sys.platform is 'wasi'; there is no interpreter executable to run" },
  'system.uname': { sandbox: { value: "'wasi'" }, reason: "the OS is WASI, not Linux" },
  'system.platform': { sandbox: { value: "['3.11.2', 'CPython', 'wasi']" }, reason: "the OS is WASI, not Linux" },
  'system.getpass_user': { sandbox: { value: "'capsule'" }, reason: ONE_USER },
  'system.pwd_current': { sandbox: { value: "'capsule'" }, reason: ONE_USER },
  'system.expanduser': { sandbox: { value: "'/tmp'" }, reason: ONE_USER },
  'text.locale': { sandbox: { value: "[(None, None), 'C', '.', '3.5', '1234.50']" }, reason: 'the locale is C (text is UTF-8 through UTF-8 mode); WASI has no locale database' },
  'system.threading_start': { sandbox: { error: "RuntimeError: can't start new thread" }, reason: NO_THREADS },
  'system.thread_pool': { sandbox: { error: "RuntimeError: can't start new thread" }, reason: NO_THREADS },
  'system.multiprocessing': { sandbox: { error: "ModuleNotFoundError: No module named 'multiprocessing': the sandbox has no processes (WASI); call a sub-task instead" }, reason: NO_PROCESSES },
  'system.subprocess': { sandbox: { error: 'OSError: [Errno 58] wasi does not support processes.' }, reason: NO_PROCESSES },
  'system.os_system': { sandbox: { error: "AttributeError: module 'os' has no attribute 'system'" }, reason: NO_PROCESSES },
  'system.os_fork': { sandbox: { value: 'False' }, reason: NO_PROCESSES },
  'system.socket_connect': { sandbox: { error: 'OSError: [Errno 58] Not supported' }, reason: 'no raw sockets: HTTP goes through urllib.request / http.client / capsule.http, which the host checks against allowed_hosts' },
  'system.socket_gethostname': { sandbox: { error: "AttributeError: module 'socket' has no attribute 'gethostname'" }, reason: 'no raw sockets or host names in WASI' },
  'system.ssl': { sandbox: { error: "ModuleNotFoundError: No module named '_ssl': the sandbox has no OpenSSL; https goes through the host (urllib.request, http.client, capsule.http)" }, reason: 'no OpenSSL in the sandbox; https goes through the host (urllib.request, http.client, capsule.http)' },
  'system.ctypes': { sandbox: { error: "ModuleNotFoundError: No module named 'ctypes': the sandbox runs no C extensions or foreign code" }, reason: 'no C extensions or foreign code in the sandbox' },
  'system.mmap': { sandbox: { error: "ModuleNotFoundError: No module named 'mmap': the sandbox has no terminal, signals, memory maps, resource limits or file locks" }, reason: NO_MODULE },
  'system.resource_module': { sandbox: { error: "ModuleNotFoundError: No module named 'resource': the sandbox has no terminal, signals, memory maps, resource limits or file locks" }, reason: NO_MODULE },
  'system.fcntl_module': { sandbox: { error: "ModuleNotFoundError: No module named 'fcntl': the sandbox has no terminal, signals, memory maps, resource limits or file locks" }, reason: NO_MODULE },
  'system.curses': { sandbox: { error: "ModuleNotFoundError: No module named 'curses': the sandbox has no terminal, signals, memory maps, resource limits or file locks" }, reason: NO_MODULE },
  'system.readline': { sandbox: { error: "ModuleNotFoundError: No module named 'readline': the sandbox has no terminal, signals, memory maps, resource limits or file locks" }, reason: NO_MODULE },
  'data_formats.hashlib_scrypt': { sandbox: { error: "AttributeError: module 'hashlib' has no attribute 'scrypt'" }, reason: 'hashlib.scrypt comes from OpenSSL, which the sandbox does not have; a pure-Python scrypt would take minutes at usual parameters' },
  'data_formats.hashlib_sha512_224': { sandbox: { error: 'ValueError: unsupported hash type sha512_224' }, reason: "without OpenSSL, hashlib has algorithms_guaranteed only (md5, sha1, sha2, sha3, shake, blake2); OpenSSL's extras (sha512_224, sha512_256, ripemd160, sm3, md5-sha1) are missing" },
};
