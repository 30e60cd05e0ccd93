"""The capsule SDK outside a sandbox: decoration-time validation, registration,
plain local runs (sync and async), and capsule.http over urllib against a loopback server."""
import asyncio
import http.server
import json
import threading
import unittest

import capsule
from capsule import TaskConfigError, task
from capsule import _registry
from capsule import http as chttp


class DecoratorTest(unittest.TestCase):
    def setUp(self):
        _registry.TASKS.clear()

    def test_registers_under_its_name_and_runs_locally(self):
        @task(name="main", compute="LOW", ram="64MB")
        def main() -> str:
            return "Hello from Capsule!"

        self.assertEqual(main(), "Hello from Capsule!")
        entry = _registry.TASKS["main"]
        self.assertEqual(entry.name, "main")
        self.assertEqual(entry.func(), "Hello from Capsule!")
        self.assertEqual(entry.options, {"name": "main", "compute": "LOW", "ram": "64MB"})
        opts = main.__capsule_task__
        self.assertEqual((opts.compute, opts.fuel, opts.ram_bytes), ("LOW", 100_000_000, 64 * 1024**2))

    def test_bare_decorator_uses_the_function_name(self):
        @task
        def analyze(xs):
            return len(xs)

        self.assertEqual(analyze([1, 2]), 2)
        self.assertIn("analyze", _registry.TASKS)

    def test_async_tasks_run_locally(self):
        @task(timeout="5s")
        async def fetch(n):
            await asyncio.sleep(0)
            return n * 2

        self.assertEqual(asyncio.run(fetch(21)), 42)
        self.assertTrue(asyncio.iscoroutinefunction(fetch))

    def test_bad_values_fail_at_decoration_naming_the_parameter(self):
        cases = {
            "compute": ({"compute": "SUPER"}, 'compute "SUPER" is not a level'),
            "ram": ({"ram": "10XB"}, 'unknown unit "XB"'),
            "timeout": ({"timeout": "30"}, 'timeout "30" has no unit'),
            "max_retries": ({"max_retries": -1}, "max_retries -1 is negative"),
            "hosts": ({"allowed_hosts": ["https://x.com"]}, "never matches"),
            "files": ({"allowed_files": ["/etc"]}, "is absolute"),
            "env": ({"env_variables": ["1X"]}, "not a valid variable name"),
        }
        for label, (kwargs, expected) in cases.items():
            with self.subTest(label):
                with self.assertRaises(TaskConfigError) as cm:
                    task(**kwargs)(lambda: None)
                self.assertIn(expected, str(cm.exception))
                self.assertIn("@task on", str(cm.exception))
        self.assertEqual(_registry.TASKS, {})

    def test_unknown_parameter_is_a_type_error(self):
        with self.assertRaises(TypeError):
            task(colour="red")  # type: ignore[call-arg]

    def test_not_in_a_sandbox(self):
        self.assertFalse(capsule.in_sandbox())


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _reply(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/missing"):
            return self._reply(404, '{"error": "nope"}')
        self._reply(200, json.dumps({"path": self.path, "ua": self.headers.get("X-Test")}))

    do_HEAD = do_GET
    do_DELETE = do_GET

    def _echo(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode()
        self._reply(201, json.dumps({"method": self.command, "body": body, "ctype": self.headers.get("Content-Type")}))

    do_POST = do_PUT = do_PATCH = _echo


class HttpOutsideSandboxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        cls.base = "http://127.0.0.1:%d" % cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def test_get_with_params_and_headers(self):
        r = chttp.get(self.base + "/data", params={"q": "1"}, headers={"X-Test": "yes"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.ok())
        self.assertEqual(r.json(), {"path": "/data?q=1", "ua": "yes"})
        self.assertEqual(r.headers["content-type"], "application/json")

    def test_json_and_form_bodies(self):
        r = chttp.post(self.base + "/p", json={"a": 1})
        self.assertEqual(r.status_code, 201)
        self.assertEqual(r.json(), {"method": "POST", "body": '{"a": 1}', "ctype": "application/json"})
        r = chttp.put(self.base + "/p", data={"x": "y z"})
        self.assertEqual(r.json()["body"], "x=y+z")
        self.assertEqual(chttp.patch(self.base + "/p", data="raw").json()["method"], "PATCH")

    def test_error_status_is_a_response(self):
        r = chttp.get(self.base + "/missing")
        self.assertEqual(r.status_code, 404)
        self.assertFalse(r.ok())
        self.assertEqual(r.json(), {"error": "nope"})

    def test_head_and_delete(self):
        self.assertEqual(chttp.head(self.base + "/h").text, "")
        self.assertEqual(chttp.delete(self.base + "/d").status_code, 200)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            chttp.post(self.base, json={}, data="x")
        with self.assertRaises(ValueError):
            chttp.get("")


if __name__ == "__main__":
    unittest.main()
