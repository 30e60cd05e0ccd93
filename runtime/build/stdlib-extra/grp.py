"""grp for the Capsule sandbox (WASI has no group database): one fixed group.

Every task runs as gid 1000, "capsule" (see pwd.py). Same API and errors as
CPython's grp module on Linux.
"""

__all__ = ["getgrall", "getgrgid", "getgrnam", "struct_group"]

_FIELDS = ("gr_name", "gr_passwd", "gr_gid", "gr_mem")


class struct_group(tuple):
    """grp.struct_group: Results from getgr*() routines."""

    n_sequence_fields = n_fields = 4
    n_unnamed_fields = 0
    __slots__ = ()

    def __new__(cls, seq):
        seq = tuple(seq)
        if len(seq) != 4:
            raise TypeError("grp.struct_group() takes a 4-sequence (%d-sequence given)" % len(seq))
        return super().__new__(cls, seq)

    def __repr__(self):
        return "grp.struct_group(%s)" % ", ".join("%s=%r" % (k, v) for k, v in zip(_FIELDS, self))

    def __reduce__(self):
        return (struct_group, (tuple(self),))


for _i, _name in enumerate(_FIELDS):
    setattr(struct_group, _name, property(lambda self, _i=_i: self[_i]))
struct_group.__module__ = "grp"

GID = 1000
_GROUP = struct_group(("capsule", "x", GID, []))


def getgrgid(id):
    if not isinstance(id, int):
        raise TypeError("group id must be int, not %s" % type(id).__name__)
    if id == GID:
        return _GROUP
    raise KeyError("getgrgid(): gid not found: %d" % id)


def getgrnam(name):
    if not isinstance(name, str):
        raise TypeError("getgrnam() argument must be str, not %s" % type(name).__name__)
    if name == _GROUP.gr_name:
        return _GROUP
    raise KeyError("getgrnam(): name not found: %r" % name)


def getgrall():
    return [_GROUP]
