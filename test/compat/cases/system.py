"""The interpreter and the system: sys, os, environment, introspection, logging,
argparse, and what the sandbox refuses (threads, subprocesses, sockets, C extensions)."""
from capsule import task
from _compat import run_cases


def case_sys_basics():
    import sys
    return [sys.version_info[:2], sys.maxsize, sys.byteorder, sys.getrecursionlimit(), sys.flags.utf8_mode, sys.getdefaultencoding(), sys.float_info.dig, sys.int_info.bits_per_digit, sys.hash_info.width]


def case_sys_platform():
    import sys
    return [sys.platform, sys.implementation.name, sys.executable]


def case_environ():
    import os
    # LC_*: native python3 started in the C locale sets LC_CTYPE itself (PEP 538).
    return [os.environ.get("CAPSULE_COMPAT"), os.getenv("NOT_SET", "default"), "CAPSULE_COMPAT" in os.environ, sorted(k for k in os.environ if not k.startswith("LC_"))]


def case_environ_set():
    import os
    os.environ["NEW_VAR"] = "ünï"
    return [os.environ["NEW_VAR"], os.getenv("NEW_VAR"), os.environb[b"NEW_VAR"]]


def case_cwd():
    import os
    return [os.path.basename(os.getcwd()) != "", os.path.isdir(os.getcwd()), os.path.exists("text.py")]


def case_cpu_count():
    import os
    return [os.cpu_count() is None or os.cpu_count() >= 1]


def case_getpass_user():
    import getpass
    return getpass.getuser()


def case_pwd_current():
    import os
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


def case_expanduser():
    import os
    return os.path.expanduser("~")


def case_uname():
    import os
    return os.uname().sysname


def case_platform():
    import platform
    return [platform.python_version(), platform.python_implementation(), platform.system()]


def case_sysconfig():
    import sysconfig
    return [sysconfig.get_config_var("VERSION"), sysconfig.get_python_version(), "stdlib" in sysconfig.get_paths()]


def case_inspect():
    import inspect

    def f(a, b: int = 2, *args, c, **kw) -> str:
        """Doc."""
    return [str(inspect.signature(f)), inspect.getdoc(f), inspect.isfunction(f), [p.kind.name for p in inspect.signature(f).parameters.values()], inspect.getsource(f).splitlines()[0].strip()]


def case_inspect_stdlib_source():
    import inspect
    import json
    return inspect.getsource(json.dumps).splitlines()[0]


def case_ast_compile():
    import ast
    tree = ast.parse("x = 1 + 2 * y\nprint(x)")
    code = compile(tree, "<ast>", "exec")
    ns = {"y": 5}
    exec(code, ns)
    return [ast.dump(tree.body[0].value), ns["x"], ast.literal_eval("{'a': [1, 2.5, None]}"), ast.unparse(ast.parse("a if b else c"))]


def case_dis():
    import dis
    return [i.opname for i in dis.get_instructions(lambda x: x + 1)]


def case_syntax_error():
    compile("def f(:\n  pass", "<case>", "exec")


def case_eval_exec():
    ns = {}
    exec("def sq(n):\n    return n * n\nresult = [sq(i) for i in range(5)]", ns)
    return [ns["result"], eval("2 ** 10"), eval("len(s)", {"s": "abc"})]


def case_traceback():
    import traceback

    def boom():
        raise ValueError("bad")
    try:
        boom()
    except ValueError as e:
        tb = traceback.extract_tb(e.__traceback__)
        return [[(f.name, f.line) for f in tb], traceback.format_exception_only(e)]


def case_warnings():
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        warnings.warn("careful", DeprecationWarning)
        warnings.warn("again", UserWarning)
    return [(str(x.message), x.category.__name__) for x in w]


def case_logging():
    import io
    import logging
    buf = io.StringIO()
    log = logging.getLogger("compat")
    handler = logging.StreamHandler(buf)
    handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.debug("hidden")
    log.info("shown %d", 1)
    log.warning("ünï")
    log.removeHandler(handler)
    return buf.getvalue()


def case_argparse():
    import argparse
    p = argparse.ArgumentParser(prog="tool")
    p.add_argument("files", nargs="+")
    p.add_argument("-n", type=int, default=3)
    p.add_argument("--verbose", action="store_true")
    return [vars(p.parse_args(["a", "b", "-n", "5", "--verbose"])), p.format_usage()]


def case_argparse_error():
    import argparse
    import contextlib
    import io
    p = argparse.ArgumentParser(prog="tool")
    p.add_argument("-n", type=int)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            p.parse_args(["-n", "x"])
        except SystemExit as e:
            return [e.code, err.getvalue()]


def case_getopt():
    import getopt
    return getopt.getopt(["-a", "-b", "val", "--long=x", "rest"], "ab:", ["long="])


def case_print_and_return():
    print("to stdout", 1, 2.5, sep="|", end="!\n")
    return "returned"


def case_sys_exit_in_case():
    import sys
    sys.exit(3)


def case_importlib():
    import importlib
    import importlib.util
    return [importlib.import_module("json.decoder").__name__, importlib.util.find_spec("definitely_not_a_module") is None, importlib.util.find_spec("csv") is not None]


def case_importlib_metadata():
    import importlib.metadata
    try:
        importlib.metadata.version("surely-not-installed-pkg")
    except importlib.metadata.PackageNotFoundError as e:
        return type(e).__name__


def case_import_missing():
    import definitely_not_a_module  # noqa: F401


def case_gc_sys_sizeof():
    import gc
    import sys
    gc.collect()
    return [gc.isenabled(), sys.getsizeof(0) > 0, sys.getrefcount(object()) >= 1]


def case_atexit_registered():
    import atexit
    atexit.register(lambda: None)
    return "registered"


def case_uuid():
    import uuid
    u = uuid.uuid4()
    return [u.version, len(str(u)), uuid.uuid5(uuid.NAMESPACE_DNS, "example.org"), uuid.UUID("12345678123456781234567812345678").hex, uuid.uuid3(uuid.NAMESPACE_URL, "x")]


def case_uuid1():
    import uuid
    return uuid.uuid1().version


def case_urllib_parse():
    from urllib.parse import parse_qs, quote, urlencode, urljoin, urlparse
    u = urlparse("https://user@example.org:8080/a/b;p?q=1&r=x+y#frag")
    return [u.hostname, u.port, u.path, parse_qs(u.query), urljoin("http://a/b/c", "../d"), quote("é /"), urlencode({"a": "b c", "d": 1})]


def case_ipaddress():
    import ipaddress
    net = ipaddress.ip_network("192.168.0.0/30")
    return [list(map(str, net.hosts())), ipaddress.ip_address("10.0.0.1").is_private, str(ipaddress.ip_address("::1")), ipaddress.ip_interface("10.1.2.3/8").network]


def case_email():
    from email.message import EmailMessage
    from email import message_from_string, policy
    m = EmailMessage()
    m["Subject"] = "Grüße"
    m["From"] = "a@example.org"
    m.set_content("Body ✓")
    parsed = message_from_string(m.as_string(), policy=policy.default)
    return [parsed["Subject"], parsed.get_content().strip(), parsed.get_content_type()]


def case_mimetypes():
    import mimetypes
    return [mimetypes.guess_type("x.json"), mimetypes.guess_type("a.tar.gz"), mimetypes.guess_extension("image/png")]


def case_http_status():
    import http
    from http import cookies
    c = cookies.SimpleCookie()
    c["s"] = "v"
    return [http.HTTPStatus(404).phrase, int(http.HTTPStatus.OK), c.output()]


def case_asyncio_gather():
    import asyncio

    async def work(n):
        await asyncio.sleep(0.001 * n)
        return n * n

    async def main():
        results = await asyncio.gather(*(work(i) for i in range(5)))
        q = asyncio.Queue()
        for i in range(3):
            q.put_nowait(i)
        drained = [q.get_nowait() for _ in range(3)]
        try:
            await asyncio.wait_for(asyncio.sleep(1), 0.01)
        except asyncio.TimeoutError:
            timed_out = True
        return [results, drained, timed_out]
    return asyncio.run(main())


def case_asyncio_tasks():
    import asyncio

    async def main():
        order = []

        async def tick(name, n):
            for i in range(n):
                order.append(f"{name}{i}")
                await asyncio.sleep(0)
        await asyncio.gather(tick("a", 2), tick("b", 2))
        t = asyncio.create_task(asyncio.sleep(10))
        await asyncio.sleep(0)
        t.cancel()
        try:
            await t
        except asyncio.CancelledError:
            order.append("cancelled")
        return order
    return asyncio.run(main())


def case_threading_start():
    import threading
    out = []
    t = threading.Thread(target=lambda: out.append(1))
    t.start()
    t.join()
    return out


def case_threading_primitives():
    import threading
    lock = threading.Lock()
    with lock:
        held = lock.locked()
    ev = threading.Event()
    ev.set()
    return [held, ev.is_set(), threading.current_thread().name, threading.active_count(), threading.local() is not None]


def case_thread_pool():
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as ex:
        return list(ex.map(lambda x: x * 2, range(3)))


def case_subprocess():
    import subprocess
    return subprocess.run(["echo", "hi"], capture_output=True).stdout


def case_os_system():
    import os
    return os.system("true")


def case_multiprocessing():
    import multiprocessing
    return multiprocessing.cpu_count()


def case_socket_connect():
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("127.0.0.1", 9))


def case_socket_gethostname():
    import socket
    return type(socket.gethostname()).__name__


def case_ctypes():
    import ctypes
    return ctypes.sizeof(ctypes.c_int)


def case_c_extension_guard():
    try:
        import numpy  # noqa: F401
    except ModuleNotFoundError as e:
        return ["ModuleNotFoundError", e.name]


def case_signal():
    import signal
    return signal.SIGINT.name


def case_mmap():
    import mmap
    return mmap.PAGESIZE > 0


def case_resource_module():
    import resource
    return resource.getpagesize() > 0


def case_fcntl_module():
    import fcntl
    return hasattr(fcntl, "flock")


def case_select_module():
    import select
    return hasattr(select, "select")


def case_os_fork():
    import os
    return hasattr(os, "fork")


def case_os_kill_getpid():
    import os
    return isinstance(os.getpid(), int)


def case_ssl():
    import ssl
    return ssl.OPENSSL_VERSION[:7]


def case_tempfile_named():
    import tempfile
    with tempfile.NamedTemporaryFile("w+", suffix=".txt") as f:
        f.write("temp ✓")
        f.seek(0)
        return [f.read(), f.name.endswith(".txt")]


def case_tempfile_dir():
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "x"), "w") as f:
            f.write("1")
        return sorted(os.listdir(d))


def case_curses():
    import curses
    return curses.version


def case_readline():
    import readline
    return readline.get_history_length() is not None


def case_doctest():
    import doctest

    def square(x):
        """
        >>> square(3)
        9
        >>> square(-2)
        4
        """
        return x * x
    runner = doctest.DocTestRunner()
    for t in doctest.DocTestFinder().find(square, "square", globs={"square": square}):
        runner.run(t)
    return list(runner.summarize(verbose=False))


def case_pydoc_help():
    import pydoc
    return pydoc.render_doc(len, renderer=pydoc.plaintext).splitlines()[:3]


def case_pydoc_topics():
    import pydoc_data.topics
    return pydoc_data.topics.topics["assert"].split("\n")[0]


def case_mail_clients_import():
    import ftplib, imaplib, poplib, smtplib
    return [smtplib.SMTP_PORT, imaplib.IMAP4_PORT, poplib.POP3_PORT, ftplib.FTP_PORT]


def case_pydecimal():
    import _pydecimal
    return str(_pydecimal.Decimal(1) / _pydecimal.Decimal(7))


@task
def run():
    return run_cases(globals())
