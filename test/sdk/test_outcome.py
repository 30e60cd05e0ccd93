"""The driver's outcome report, run natively: tracebacks match what python3's
own traceback module prints for the same code, minus the driver's frames; exits,
unsendable values and nesting give the documented errors."""
import json
import os
import sys
import tempfile
import traceback
import unittest

from capsule import _outcome, _values

USER_CODE = '''
import json

def leaf(n):
    return {"a": 1}["b" + str(n)]

def middle(n):
    try:
        return leaf(n)
    except KeyError as e:
        raise ValueError("bad input: %d" % n) from e

def recurse(n):
    if n == 0:
        return middle(42)
    return recurse(n - 1)

def mutual_a(n):
    return mutual_b(n - 1) if n else json.loads("{bad")

def mutual_b(n):
    return mutual_a(n)

def fail(kind):
    if kind == "chain":
        return recurse(50)
    if kind == "stdlib":
        return json.loads("{bad")
    if kind == "context":
        try:
            1 / 0
        except ZeroDivisionError:
            undefined_name
    if kind == "mutual":
        return mutual_a(300)
'''

# The driver catches what the task raises (so its frame is the traceback's first).
CATCHER = '''
def run(fn, arg):
    try:
        fn(arg)
    except BaseException as e:
        return e
'''


def load(code, filename):
    namespace = {"__name__": "m"}
    exec(compile(code, filename, "exec"), namespace)
    return namespace


class TracebackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.user_file = os.path.join(cls.dir, "user.py")
        with open(cls.user_file, "w") as f:
            f.write(USER_CODE)
        cls.user = load(USER_CODE, cls.user_file)
        cls.driver = load(CATCHER, _outcome.DRIVER_FILE)
        cls.native = load(CATCHER, "<native>")

    def native_and_ours(self, kind):
        """python3's traceback of fail(kind), and ours of the same call made by the driver."""
        native = "".join(traceback.format_exception(self.native["run"](self.user["fail"], kind)))
        ours, frames = _outcome.format_exception(self.driver["run"](self.user["fail"], kind))
        # The catcher's own frame (no source) is the one entry python3 adds.
        native = "".join(line for line in native.splitlines(True) if '"<native>"' not in line)
        return native, ours, frames

    def test_matches_python3_without_driver_frames(self):
        for kind in ("chain", "stdlib", "context"):
            native, ours, _ = self.native_and_ours(kind)
            self.assertEqual(ours, native, kind)
            self.assertNotIn(_outcome.DRIVER_FILE, ours)

    def test_recursion_is_folded_as_python3_folds_it(self):
        native, ours, frames = self.native_and_ours("chain")
        self.assertIn("[Previous line repeated 47 more times]", ours)
        self.assertEqual(ours, native)
        self.assertEqual([f["name"] for f in frames], ["fail", "recurse", "recurse", "middle"])
        self.assertEqual(frames[-1]["source"], 'raise ValueError("bad input: %d" % n) from e')
        self.assertEqual(frames[0]["file"], self.user_file)  # outside /project: the path as it is

    def test_long_tracebacks_keep_both_ends(self):
        _, ours, frames = self.native_and_ours("mutual")
        self.assertIn("[... ", ours)
        self.assertLessEqual(len(frames), _outcome.MAX_ENTRIES)
        self.assertEqual(frames[0]["name"], "fail")
        self.assertTrue(ours.rstrip().endswith("json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"))

    def test_project_files_are_relative(self):
        self.assertEqual(_outcome.guest_to_file("/project/pkg/util.py"), "pkg/util.py")
        self.assertEqual(_outcome.guest_to_file("/usr/local/lib/python311.zip/json/decoder.py"), "/usr/local/lib/python311.zip/json/decoder.py")

    def test_failure_report(self):
        report = _outcome.failure(self.driver["run"](self.user["fail"], "chain"))
        self.assertEqual(report["error_type"], "task_error")
        self.assertEqual(report["message"], "ValueError: bad input: 42")
        self.assertTrue(report["traceback"].startswith("Traceback (most recent call last):\n"))


class ExitTest(unittest.TestCase):
    def report(self, *args):
        try:
            sys.exit(*args)
        except SystemExit as e:
            return _outcome.failure(e)

    def test_zero_and_none_complete_with_null(self):
        for args in [(), (None,), (0,), (False,)]:
            self.assertEqual(json.loads(self.report(*args)), {"ok": True, "result": None}, args)

    def test_other_statuses(self):
        self.assertEqual(self.report(3)["message"], "exited with status 3")
        self.assertEqual(self.report(True)["message"], "exited with status 1")
        self.assertEqual(self.report("fatal: no input")["message"], "fatal: no input")
        self.assertEqual(self.report(3)["error_type"], "task_error")


class ValuesTest(unittest.TestCase):
    def test_exact_text(self):
        text = _outcome.success({"big": 2**64, "f": 3.0, "h": 2**100, "t": "Grüße ✓ 日本語 🎉"})
        self.assertEqual(json.loads(text)["result"], {"big": 2**64, "f": 3.0, "h": 2**100, "t": "Grüße ✓ 日本語 🎉"})
        self.assertIn('"f": 3.0', text)

    def test_unsendable_values_are_named_with_where(self):
        cases = [
            ({"a": [1, float("nan")]}, "value['a'][1] is a float nan, which JSON cannot carry"),
            ([float("inf")], "value[0] is a float inf"),
            ({"s": {1, 2}}, "value['s'] is a set, which JSON cannot carry (make it a list)"),
            ([b"x"], "value[0] is a bytes, which JSON cannot carry (decode it, or base64 it)"),
            ({(1, 2): 3}, "value key (1, 2) is a tuple"),
            ([object()], "value[0] is an object, which JSON cannot carry"),
        ]
        for value, message in cases:
            with self.assertRaises(TypeError) as cm:
                _values.dumps(value, "the task's return value")
            self.assertIn("the task's return value cannot be sent as JSON: " + message, str(cm.exception))
        cyclic = []
        cyclic.append(cyclic)
        with self.assertRaises(Exception) as cm:
            _values.dumps(cyclic, "v")
        self.assertRegex(str(cm.exception), "cycle|nested too deeply")

    def test_nesting_is_capped_whatever_the_recursion_limit(self):
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(100_000)
        try:
            x = []
            for _ in range(5000):
                x = [x]
            with self.assertRaises(ValueError) as cm:
                _values.dumps(x, "the task's return value")
            self.assertIn("the task's return value is nested too deeply: more than 500 levels", str(cm.exception))
            with self.assertRaises(ValueError):
                _values.loads("[" * 5000 + "]" * 5000, "the arguments")
            self.assertEqual(sys.getrecursionlimit(), 100_000)
        finally:
            sys.setrecursionlimit(old)
        ok = []
        for _ in range(499):
            ok = [ok]
        self.assertEqual(_values.loads(_values.dumps(ok, "v"), "v"), ok)


if __name__ == "__main__":
    unittest.main()
