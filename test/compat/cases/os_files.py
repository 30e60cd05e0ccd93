"""Files and the OS: open, pathlib, os, shutil, glob, io, sqlite3 on a read-write grant."""
from capsule import task
from _compat import run_cases


def case_read_text():
    with open("data/text.txt") as f:
        return [f.read(), f.encoding]


def case_read_lines_binary():
    with open("data/text.txt", "rb") as f:
        raw = f.read()
    with open("data/text.txt", encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    return [len(raw), raw[:8], lines]


def case_write_and_append():
    path = "out/notes.txt"
    with open(path, "w") as f:
        f.write("first ✓\n")
    with open(path, "a") as f:
        print("second", file=f)
    with open(path) as f:
        return f.read()


def case_unicode_filename():
    import os
    name = "out/résumé 日本.txt"
    with open(name, "w") as f:
        f.write("ok")
    return [os.path.exists(name), sorted(n for n in os.listdir("out") if n.startswith("r"))]


def case_pathlib():
    import pathlib
    p = pathlib.Path("out") / "sub" / "file.tar.gz"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("x")
    return [p.name, p.suffixes, p.stem, p.exists(), p.is_file(), p.parent.is_dir(), p.read_text(), sorted(str(x) for x in pathlib.Path("out/sub").iterdir()), p.with_suffix(".zip").name]


def case_pathlib_pure():
    from pathlib import PurePosixPath, PureWindowsPath
    p = PurePosixPath("/a/b/../c/./d.txt")
    return [p.parts, str(p.parent), p.match("*.txt"), str(PureWindowsPath("C:/x/y").parent), PurePosixPath("a/b").relative_to("a"), p.is_absolute()]


def case_os_path():
    import os.path as op
    return [op.join("a", "b", "../c"), op.normpath("a/b/../c/./d"), op.splitext("x.tar.gz"), op.basename("/a/b.txt"), op.dirname("/a/b.txt"), op.isabs("/x"),
            op.relpath("/a/b/c", "/a/d"), op.commonpath(["/a/b/c", "/a/b/d"]), op.split("/a/b/")]


def case_os_walk_stat():
    import os
    os.makedirs("out/tree/a/b", exist_ok=True)
    for name in ("out/tree/x.txt", "out/tree/a/y.txt", "out/tree/a/b/z.txt"):
        with open(name, "w") as f:
            f.write(name)
    walked = [(root, sorted(dirs), sorted(files)) for root, dirs, files in os.walk("out/tree")]
    st = os.stat("out/tree/x.txt")
    return [sorted(walked), st.st_size, os.path.getsize("out/tree/a/b/z.txt"), os.path.isdir("out/tree/a")]


def case_os_rename_remove():
    import os
    with open("out/old.txt", "w") as f:
        f.write("1")
    os.rename("out/old.txt", "out/new.txt")
    os.replace("out/new.txt", "out/newer.txt")
    out = [os.path.exists("out/old.txt"), os.path.exists("out/newer.txt")]
    os.remove("out/newer.txt")
    os.makedirs("out/empty/dir")
    os.removedirs("out/empty/dir")
    return out + [os.path.exists("out/newer.txt"), os.path.exists("out/empty")]


def case_os_scandir():
    import os
    os.makedirs("out/scan", exist_ok=True)
    for n in ("b.txt", "a.txt"):
        open("out/scan/" + n, "w").close()
    os.mkdir("out/scan/dir")
    with os.scandir("out/scan") as it:
        return sorted((e.name, e.is_file(), e.is_dir()) for e in it)


def case_shutil():
    import os
    import shutil
    os.makedirs("out/src/inner", exist_ok=True)
    with open("out/src/inner/f.txt", "w") as f:
        f.write("copy me")
    shutil.copy("out/src/inner/f.txt", "out/src/g.txt")
    shutil.copytree("out/src", "out/dst")
    shutil.move("out/dst/g.txt", "out/dst/h.txt")
    listing = sorted(os.path.relpath(os.path.join(r, f), "out/dst") for r, _, fs in os.walk("out/dst") for f in fs)
    shutil.rmtree("out/dst")
    return [listing, os.path.exists("out/dst")]


def case_glob_fnmatch():
    import fnmatch
    import glob
    import os
    os.makedirs("out/g/sub", exist_ok=True)
    for n in ("a.py", "b.txt", "sub/c.py"):
        open("out/g/" + n, "w").close()
    return [sorted(glob.glob("out/g/*.py")), sorted(glob.glob("out/g/**/*.py", recursive=True)), fnmatch.filter(["x.py", "y.txt"], "*.py"), fnmatch.fnmatch("Ab", "a?")]


def case_file_seek_tell():
    with open("out/seek.bin", "w+b") as f:
        f.write(b"0123456789")
        f.seek(3)
        a = f.read(2)
        f.seek(-2, 2)
        b = f.read()
        pos = f.tell()
        f.truncate(4)
        f.seek(0)
        return [a, b, pos, f.read()]


def case_missing_file():
    open("data/nope.txt")


def case_read_only_grant():
    with open("data/new.txt", "w") as f:
        f.write("x")


def case_write_outside():
    with open("/etc/capsule-test", "w") as f:
        f.write("x")


def case_io_streams():
    import io
    s = io.StringIO()
    s.write("héllo\nworld\n")
    t = io.TextIOWrapper(io.BytesIO("ünï\r\ncode".encode("utf-8")), encoding="utf-8", newline=None)
    return [s.getvalue().splitlines(), t.read(), io.BytesIO(b"abc").read(2), io.DEFAULT_BUFFER_SIZE]


def case_sqlite_memory():
    import sqlite3
    con = sqlite3.connect(":memory:")
    con.execute("create table t (id integer primary key, name text, score real)")
    con.executemany("insert into t (name, score) values (?, ?)", [("ada", 9.5), ("bob", 7.25), ("cé", 8.0)])
    rows = con.execute("select name, score from t where score > ? order by score desc", (7.5,)).fetchall()
    agg = con.execute("select count(*), avg(score), group_concat(name, '|') from t").fetchone()
    return [rows, agg, sqlite3.sqlite_version_info >= (3, 35), con.execute("select json_extract('{\"a\": [1, 2]}', '$.a[1]')").fetchone()]


def case_sqlite_file():
    import sqlite3
    con = sqlite3.connect("out/app.db")
    with con:
        con.execute("create table kv (k text primary key, v)")
        con.executemany("insert into kv values (?, ?)", [("a", 1), ("b", "two"), ("c", None)])
    con.close()
    con = sqlite3.connect("out/app.db")
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("select * from kv order by k")]
    try:
        with con:
            con.execute("insert into kv values ('a', 9)")
    except sqlite3.IntegrityError as e:
        err = str(e)
    return [rows, err]


def case_sqlite_transactions():
    import sqlite3
    con = sqlite3.connect("out/tx.db")
    con.execute("create table n (x)")
    con.commit()
    con.execute("insert into n values (1)")
    con.rollback()
    con.execute("insert into n values (2)")
    con.commit()
    con.execute("begin")
    con.execute("insert into n values (3)")
    con.execute("savepoint s")
    con.execute("insert into n values (4)")
    con.execute("rollback to s")
    con.commit()
    return con.execute("select x from n order by x").fetchall()


def case_sqlite_functions():
    import sqlite3
    con = sqlite3.connect(":memory:")
    con.create_function("rev", 1, lambda s: s[::-1])
    con.create_collation("nocase_rev", lambda a, b: (a.lower() < b.lower()) - (a.lower() > b.lower()))
    con.execute("create table w (s)")
    con.executemany("insert into w values (?)", [("b",), ("A",), ("c",)])
    return [con.execute("select rev('abc')").fetchone(), [r[0] for r in con.execute("select s from w order by s collate nocase_rev")],
            con.execute("select upper('é'), length('日本'), 7 / 2, 7 % 3, round(2.5)").fetchone()]


def case_sqlite_fts_math():
    import sqlite3
    con = sqlite3.connect(":memory:")
    con.execute("create virtual table docs using fts5(body)")
    con.executemany("insert into docs values (?)", [("the quick brown fox",), ("lazy dogs sleep",), ("quick thinking",)])
    return [con.execute("select body from docs where docs match 'quick' order by rowid").fetchall(), con.execute("select sqrt(16), pi() > 3").fetchone()]


def case_sqlite_errors():
    import sqlite3
    con = sqlite3.connect(":memory:")
    return con.execute("select * from missing_table")


def case_dbm_dumb():
    import dbm.dumb
    with dbm.dumb.open("out/kv", "c") as db:
        db["a"] = "1"
        db[b"b"] = b"2"
    with dbm.dumb.open("out/kv", "r") as db:
        return sorted((k, db[k]) for k in db.keys())


def case_shelve():
    import shelve
    with shelve.open("out/shelf", flag="c", writeback=False) as s:
        s["x"] = {"nested": [1, 2]}
    with shelve.open("out/shelf", flag="r") as s:
        return s["x"]


def case_filecmp_linecache():
    import filecmp
    import linecache
    with open("out/f1.txt", "w") as f:
        f.write("same\n")
    with open("out/f2.txt", "w") as f:
        f.write("same\n")
    return [filecmp.cmp("out/f1.txt", "out/f2.txt", shallow=False), linecache.getline("data/text.txt", 2)]


def case_fileinput():
    import fileinput
    with fileinput.input(files=("data/text.txt", "data/table.csv"), encoding="utf-8") as f:
        return [(fileinput.filename(), fileinput.filelineno(), line.strip()) for line in f][:5]


@task
def run():
    return run_cases(globals())
