"""A task's outcome as the driver reports it (op task.result).

Success: '{"ok": true, "result": <json>}', the result's exact JSON text.
Failure: {"ok": false, "error_type", "message", "traceback"?, "frames"?, "source"?}:
- the traceback shows the task's frames and the library frames below them,
  never the driver's, as python3 prints it (repeats folded the same way), and
  `frames` lists them for the editor;
- sys.exit(0), sys.exit() and sys.exit(None) are a completed task with a null
  result; another status is "exited with status N" (a string status is the message);
- a file that does not compile is a `source` problem (a configuration error);
- a MemoryError, or running out of memory while the report is made, is out_of_memory.
"""

import sys

from . import _values

PROJECT_DIR = "/project"
#: Frames of the driver (capsule/_guest.py) are never shown.
DRIVER_FILE = __file__.rsplit("/", 1)[0] + "/_guest.py"
#: Tracebacks longer than this many (folded) entries keep the first and last halves.
MAX_ENTRIES = 200
_REPEAT_SHOWN = 3  # as traceback._RECURSIVE_CUTOFF

_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"

OUT_OF_MEMORY = {"ok": False, "error_type": "out_of_memory", "message": "MemoryError: the task ran past its memory limit"}


class SourceError(Exception):
    """The task's file does not compile: CPython's SyntaxError (or ValueError for NUL bytes)."""

    def __init__(self, file, exc):
        super().__init__(str(exc))
        self.file = file
        if isinstance(exc, SyntaxError):
            self.line = exc.lineno or 0
            self.column = exc.offset if exc.offset and exc.offset > 0 and self.line else 0
            self.text = "%s: %s" % (type(exc).__name__, exc.msg)
        else:
            self.line = self.column = 0
            self.text = "SyntaxError: %s" % exc


class DecoratorError(SourceError):
    """The task's decorator, as the file ran, is refused (by the SDK, or because it
    differs from what the host read in the source): a configuration error at its line."""

    def __init__(self, file, line, message):
        Exception.__init__(self, message)
        self.file = file
        self.line = line or 0
        self.column = 1 if self.line else 0
        self.text = "TaskConfigError: %s" % message


def success(value):
    """The success report, encoded once; a value JSON cannot carry is the task's
    error, without a traceback (no frame of the task's raised it)."""
    try:
        return '{"ok": true, "result": %s}' % _values.dumps(value, "the task's return value", root="result")
    except (TypeError, ValueError) as exc:
        return {"ok": False, "error_type": "task_error", "message": str(exc)}


def failure(exc):
    """The report for an exception that ended the task."""
    try:
        return _failure(exc)
    except MemoryError:
        # Formatting the traceback (a deep recursion's, say) ran out of memory: memory is the limit hit.
        return OUT_OF_MEMORY


def _failure(exc):
    if isinstance(exc, MemoryError):
        # The report is a constant: it needs no memory, and the frames are freed after it is sent.
        return OUT_OF_MEMORY
    if isinstance(exc, SystemExit):
        return _exit(exc.code)
    if isinstance(exc, SourceError):
        return {"ok": False, "error_type": "task_error", "message": exc.text,
                "source": {"file": exc.file, "line": exc.line, "column": exc.column, "message": exc.text}}
    text, frames = format_exception(exc)
    message = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    return {"ok": False, "error_type": "task_error", "message": message, "traceback": text, "frames": frames}


def _exit(code):
    if code is None or code is False or code == 0 and isinstance(code, int):
        return '{"ok": true, "result": null}'
    if isinstance(code, int):
        return {"ok": False, "error_type": "task_error", "message": "exited with status %d" % code}
    return {"ok": False, "error_type": "task_error", "message": str(code)}


def _chain(exc):
    """The exceptions to print, oldest first, each with the separator that goes before it."""
    items = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if exc.__cause__ is not None:
            nxt, sep = exc.__cause__, _CAUSE
        elif exc.__context__ is not None and not exc.__suppress_context__:
            nxt, sep = exc.__context__, _CONTEXT
        else:
            nxt, sep = None, None
        items.append((exc, sep))
        exc = nxt
    items.reverse()
    return items


def format_exception(exc):
    """(text, frames): the traceback as python3 prints it, without the driver's frames."""
    import traceback
    if isinstance(exc, BaseExceptionGroup):
        # Rare; printed by the traceback module (driver frames and all).
        return "".join(traceback.format_exception(exc)), []
    out = []
    frames = []
    chain = _chain(exc)
    for i, (e, _) in enumerate(chain):
        if i:
            out.append(chain[i][1])  # how this one follows the one before
        lines, shown = _format_tb(e.__traceback__)
        if lines:
            out.append("Traceback (most recent call last):\n")
            out.extend(lines)
        out.extend(traceback.format_exception_only(type(e), e))
        if e is exc:
            frames = shown
    return "".join(out), frames


def _user_tb(tb):
    while tb is not None and tb.tb_frame.f_code.co_filename == DRIVER_FILE:
        tb = tb.tb_next
    return tb


def _runs(tb):
    """Consecutive entries of one line folded into [tb, count] runs; past
    MAX_ENTRIES runs, the first and last halves and how many were left out."""
    from collections import deque
    half = MAX_ENTRIES // 2
    head = []
    tail = deque(maxlen=half)
    dropped = 0
    last_key = None
    run = None
    while tb is not None:
        code = tb.tb_frame.f_code
        key = (code.co_filename, tb.tb_lineno, code.co_name)
        if key == last_key:
            run[1] += 1
        else:
            last_key = key
            run = [tb, 1]
            if len(head) < half:
                head.append(run)
            else:
                if len(tail) == half:
                    dropped += tail[0][1]
                tail.append(run)
        tb = tb.tb_next
    return head, list(tail), dropped


def guest_to_file(filename):
    """Project files by their path in the project (pkg/util.py), others by their guest path."""
    if filename.startswith(PROJECT_DIR + "/"):
        return filename[len(PROJECT_DIR) + 1:]
    return filename


def _summary(tb):
    import linecache
    import traceback
    frame = tb.tb_frame
    code = frame.f_code
    # A module in the stdlib zip has its source through its loader, if the zip holds it.
    linecache.lazycache(code.co_filename, frame.f_globals)
    lineno, end_lineno, colno, end_colno = traceback._get_code_position(code, tb.tb_lasti)
    if lineno is None:
        lineno = tb.tb_lineno
    return traceback.FrameSummary(code.co_filename, lineno, code.co_name, lookup_line=False, locals=None,
                                  end_lineno=end_lineno, colno=colno, end_colno=end_colno)


def _format_tb(tb):
    import traceback
    head, tail, dropped = _runs(_user_tb(tb))
    lines = []
    frames = []
    stack = traceback.StackSummary()
    for i, (entry, count) in enumerate(head + tail):
        if i == len(head) and dropped:
            lines.append("  [... %d more frames ...]\n" % dropped)
        fs = _summary(entry)
        text = stack.format_frame_summary(fs)
        lines.extend([text] * min(count, _REPEAT_SHOWN))
        if count > _REPEAT_SHOWN:
            more = count - _REPEAT_SHOWN
            lines.append("  [Previous line repeated %d more time%s]\n" % (more, "s" if more > 1 else ""))
        frame = {"file": guest_to_file(fs.filename), "line": fs.lineno, "name": fs.name}
        source = fs.line
        if source:
            frame["source"] = source
        frames.append(frame)
    return lines, frames
