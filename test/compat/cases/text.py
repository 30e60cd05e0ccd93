"""Strings, Unicode, codecs, regular expressions, formatting."""
from capsule import task
from _compat import run_cases


def case_str_methods():
    s = "  Hello, World  "
    return [s.strip(), s.lower(), s.upper(), s.split(","), s.replace("l", "L", 2), s.center(20, "*"), "x".join("abc")]


def case_str_format():
    return ["{:>8.3f}|{:<6}|{:^7}|{:08b}|{:x}|{:,}".format(3.14159, "ab", "mid", 5, 255, 1234567), f"{12.5:e}", "%5.2f%%" % 99.5]


def case_unicode_casefold():
    return ["Straße".casefold(), "ǅ".lower(), "ǅ".upper(), "ﬁ".upper(), "İ".lower(), len("İ".lower())]


def case_unicode_normalize():
    import unicodedata
    s = "e\u0301"
    return [unicodedata.normalize("NFC", s), len(unicodedata.normalize("NFC", s)), unicodedata.normalize("NFKD", "ﬁ①"),
            unicodedata.name("✓"), unicodedata.category("é"), unicodedata.numeric("½"), unicodedata.unidata_version]


def case_unicode_print():
    print("Grüße ✓ 日本語 😀")
    return len("😀".encode("utf-16-le"))


def case_encode_decode():
    s = "naïve café 日本"
    return [s.encode("utf-8"), s.encode("latin-1", "replace"), s.encode("ascii", "xmlcharrefreplace"),
            s.encode("utf-16"), b"\xff\xfe".decode("utf-8", "replace"), "€".encode("cp1252")]


def case_codecs_cjk():
    return ["日本語".encode("shift_jis"), "日本語".encode("euc-jp"), "中文".encode("gbk"), "한국어".encode("euc-kr"), "中文".encode("big5")]


def case_codecs_misc():
    import codecs
    return [codecs.encode("hello", "rot13"), codecs.encode(b"hi", "hex"), codecs.decode("68656c6c6f", "hex"),
            codecs.lookup("UTF8").name, "x".encode("idna"), "bücher.de".encode("idna"), codecs.encode(b"abc", "base64")]


def case_decode_error():
    return b"\xff".decode("utf-8")


def case_re_basics():
    import re
    return [re.findall(r"\d+", "a1b22c333"), re.sub(r"(\w+)@(\w+)", r"\2 at \1", "me@host"), re.split(r"[,;]\s*", "a, b;c"),
            re.fullmatch(r"[a-z]+", "abc") is not None, re.search(r"(?P<y>\d{4})", "in 2024").group("y")]


def case_re_unicode():
    import re
    return [re.findall(r"\w+", "café naïve 日本"), re.findall(r"(?i)straße", "STRASSE Straße"), bool(re.match(r"\d", "٣"))]


def case_re_flags_verbose():
    import re
    pat = re.compile(r"""
        (?P<key>[a-z]+)   # key
        \s*=\s*
        (?P<val>\d+)      # value
    """, re.X | re.M)
    return [m.groupdict() for m in pat.finditer("a = 1\nbb=22\n")]


def case_re_error():
    import re
    return re.compile("(")


def case_string_template():
    import string
    return [string.Template("$who likes ${what}").substitute(who="tim", what="kung pao"), string.capwords("hello big world"),
            string.punctuation, string.Formatter().format("{0}{1}", "a", "b")]


def case_textwrap():
    import textwrap
    text = "The quick brown fox jumps over the lazy dog. " * 3
    return [textwrap.fill(text, 30), textwrap.shorten(text, 40), textwrap.dedent("   a\n   b"), textwrap.indent("x\ny", "> ")]


def case_difflib():
    import difflib
    a, b = "one two three four".split(), "one three four five".split()
    return [list(difflib.unified_diff(a, b, lineterm="")), difflib.SequenceMatcher(None, "abcd", "bcde").ratio(),
            difflib.get_close_matches("appel", ["ape", "apple", "peach"])]


def case_html_escape():
    import html
    return [html.escape("<a href='x'>&</a>"), html.unescape("&lt;&eacute;&#x2713;&gt;")]


def case_html_parser():
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.seen = []

        def handle_starttag(self, tag, attrs):
            self.seen.append((tag, attrs))

        def handle_data(self, data):
            if data.strip():
                self.seen.append(data.strip())
    p = P()
    p.feed("<div class='x'><p>Hi <b>there</b></p><img src=a.png></div>")
    return p.seen


def case_shlex():
    import shlex
    return [shlex.split("ls -l 'my file' \"x y\" z\\ w"), shlex.quote("it's"), shlex.join(["a b", "c"])]


def case_pprint():
    import pprint
    data = {"b": [1, 2, {"x": "y" * 30}], "a": list(range(20)), "c": ("t", "u")}
    return pprint.pformat(data, width=40)


def case_reprlib():
    import reprlib
    return [reprlib.repr(list(range(100))), reprlib.repr("x" * 100), reprlib.repr({i: i for i in range(20)})]


def case_locale():
    import locale
    return [locale.getlocale(), locale.setlocale(locale.LC_ALL, "C"), locale.localeconv()["decimal_point"], locale.str(3.5), locale.format_string("%.2f", 1234.5)]


def case_gettext():
    import gettext
    t = gettext.NullTranslations()
    return [t.gettext("hello"), t.ngettext("file", "files", 2), gettext.gettext("x")]


def case_str_isx():
    return [s.isidentifier() for s in ("a1", "1a", "café", "_")] + ["١٢٣".isdigit(), "١٢٣".isdecimal(), int("١٢٣"), "Ⅻ".isnumeric()]


def case_bytes_ops():
    b = bytearray(b"hello world")
    b[0:5] = b"HELLO"
    return [bytes(b), b.hex(" "), bytes.fromhex("de ad be ef"), b"a,b,,c".split(b","), b"%d-%s" % (5, b"x"), memoryview(b"abc")[1:].tobytes()]


def case_str_translate():
    table = str.maketrans("abc", "xyz", "d")
    return ["abcdabcd".translate(table), "hello".translate({ord("l"): None}), "a-b_c".translate(str.maketrans("-_", "  "))]


@task
def run():
    return run_cases(globals())
