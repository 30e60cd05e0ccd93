"""pwd for the Capsule sandbox (WASI has no user database): one fixed user.

Every task runs as uid/gid 1000, "capsule", home /tmp; os.getuid() and
friends answer 1000 (set by the driver). Same API and errors as CPython's
pwd module on Linux.
"""

__all__ = ["getpwall", "getpwnam", "getpwuid", "struct_passwd"]

_FIELDS = ("pw_name", "pw_passwd", "pw_uid", "pw_gid", "pw_gecos", "pw_dir", "pw_shell")


class struct_passwd(tuple):
    """pwd.struct_passwd: Results from getpw*() routines."""

    n_sequence_fields = n_fields = 7
    n_unnamed_fields = 0
    __slots__ = ()

    def __new__(cls, seq):
        seq = tuple(seq)
        if len(seq) != 7:
            raise TypeError("pwd.struct_passwd() takes a 7-sequence (%d-sequence given)" % len(seq))
        return super().__new__(cls, seq)

    def __repr__(self):
        return "pwd.struct_passwd(%s)" % ", ".join("%s=%r" % (k, v) for k, v in zip(_FIELDS, self))

    def __reduce__(self):
        return (struct_passwd, (tuple(self),))


for _i, _name in enumerate(_FIELDS):
    setattr(struct_passwd, _name, property(lambda self, _i=_i: self[_i]))
struct_passwd.__module__ = "pwd"

UID = GID = 1000
_USER = struct_passwd(("capsule", "x", UID, GID, "Capsule task", "/tmp", "/bin/sh"))


def getpwuid(uid):
    if not isinstance(uid, int):
        raise TypeError("'%s' object cannot be interpreted as an integer" % type(uid).__name__)
    if uid == UID:
        return _USER
    raise KeyError("getpwuid(): uid not found: %d" % uid if uid >= 0 else "getpwuid(): uid not found")


def getpwnam(name):
    if not isinstance(name, str):
        raise TypeError("getpwnam() argument must be str, not %s" % type(name).__name__)
    if name == _USER.pw_name:
        return _USER
    raise KeyError("getpwnam(): name not found: %r" % name)


def getpwall():
    return [_USER]
