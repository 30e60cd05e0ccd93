"""Data formats: json, csv, pickle, struct, base64, binascii, hashing, compression, archives."""
from capsule import task
from _compat import run_cases


def case_json_roundtrip():
    import json
    doc = {"a": [1, 2.5, None, True, "é✓"], "b": {"n": 10 ** 20}, "c": []}
    text = json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False)
    return [text, json.loads(text) == doc, json.dumps(doc), json.dumps("é", ensure_ascii=True)]


def case_json_file():
    import json
    with open("data/users.json", encoding="utf-8") as f:
        return json.load(f)


def case_json_errors():
    import json
    return json.loads('{"a": [1, 2,]}')


def case_json_special():
    import json
    return [json.dumps(float("nan")), json.loads("NaN"), json.dumps([1e400]), json.loads("1e400"), json.dumps({1: 2, True: 3, None: 4})]


def case_json_custom():
    import json
    import decimal

    class Enc(json.JSONEncoder):
        def default(self, o):
            return str(o) if isinstance(o, decimal.Decimal) else super().default(o)
    return [json.dumps({"d": decimal.Decimal("1.10")}, cls=Enc), json.loads("1.10", parse_float=decimal.Decimal), json.loads('{"a":1}', object_pairs_hook=list)]


def case_csv_read():
    import csv
    with open("data/table.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [rows, sum(int(r["qty"]) * float(r["price"]) for r in rows)]


def case_csv_write():
    import csv
    import io
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC)
    w.writerows([["a", 1, 2.5], ['he said "hi"', "x,y", None]])
    return [buf.getvalue(), csv.Sniffer().sniff("a;b;c\n1;2;3\n").delimiter]


def case_pickle():
    import pickle
    import collections
    obj = {"t": (1, 2), "s": {3, 4}, "d": collections.OrderedDict(a=1), "b": b"\x00", "n": 2 ** 70, "f": 1.5}
    out = []
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        out.append(pickle.loads(pickle.dumps(obj, proto)) == obj)
    return [out, pickle.dumps([1, "a", None], 2), pickle.HIGHEST_PROTOCOL]


def case_pickle_class():
    import pickle
    import dataclasses

    return pickle.loads(pickle.dumps(Point(1, 2)))


def case_copy_deep():
    import copy
    a = {"x": [1, [2, 3]], "y": {"z": {4}}}
    b = copy.deepcopy(a)
    b["x"][1].append(9)
    return [a, b, copy.copy(a)["x"] is a["x"]]


def case_struct():
    import struct
    packed = struct.pack("<iHdq3s?", -1, 65535, 1.5, 2 ** 40, b"abc", True)
    return [packed, struct.unpack("<iHdq3s?", packed), struct.calcsize("@ihq"), struct.calcsize("=ihq"), struct.pack(">f", 0.1)]


def case_base64_binascii():
    import base64
    import binascii
    data = bytes(range(0, 256, 7))
    return [base64.b64encode(data), base64.urlsafe_b64encode(b"\xfb\xff"), base64.b32encode(b"abc"), base64.b16encode(b"\x01\xab"), base64.a85encode(b"hello"),
            base64.b85encode(b"hello"), binascii.crc32(data), binascii.hexlify(b"\x00\xff", "-"), binascii.b2a_uu(b"hi")]


def case_hashlib_guaranteed():
    import hashlib
    data = "données ✓".encode()
    return [hashlib.new(n, data).hexdigest() for n in sorted(hashlib.algorithms_guaranteed) if not n.startswith("shake")] + \
        [hashlib.shake_128(data).hexdigest(16), hashlib.shake_256(data).hexdigest(8)]


def case_hashlib_blake2_params():
    import hashlib
    return [hashlib.blake2b(b"x", digest_size=16, key=b"k", salt=b"s", person=b"p").hexdigest(), hashlib.blake2s(b"x", digest_size=8).hexdigest()]


def case_hashlib_pbkdf2():
    import hashlib
    return hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 1000).hex()


def case_hashlib_scrypt():
    import hashlib
    return hashlib.scrypt(b"password", salt=b"salt", n=16, r=8, p=1).hex()


def case_hashlib_sha512_224():
    import hashlib
    return hashlib.new("sha512_224", b"abc").hexdigest()


def case_hashlib_file_digest():
    import hashlib
    with open("data/text.txt", "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def case_hmac():
    import hmac
    import hashlib
    mac = hmac.new(b"key", b"message", hashlib.sha256)
    return [mac.hexdigest(), hmac.compare_digest(mac.digest(), mac.digest()), hmac.digest(b"k", b"m", "sha1")]


def case_zlib():
    import zlib
    data = ("capsule " * 500).encode()
    c = zlib.compress(data, 9)
    d = zlib.decompressobj()
    return [len(c), zlib.decompress(c) == data, zlib.adler32(data), d.decompress(c[:10]) + d.decompress(c[10:]) == data, zlib.ZLIB_VERSION]


def case_gzip():
    import gzip
    data = b"hello gzip " * 100
    blob = gzip.compress(data, mtime=0)
    return [blob, gzip.decompress(blob) == data]


def case_bz2():
    import bz2
    data = b"hello bz2 " * 100
    blob = bz2.compress(data)
    return [blob, bz2.decompress(blob) == data]


def case_lzma():
    import lzma
    data = b"hello lzma " * 100
    blob = lzma.compress(data, preset=6)
    return [len(blob), lzma.decompress(blob) == data, lzma.decompress(lzma.compress(data, format=lzma.FORMAT_ALONE)) == data]


def case_zipfile_memory():
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("a.txt", (2020, 1, 1, 0, 0, 0)), "alpha " * 50)
        z.writestr(zipfile.ZipInfo("dir/b.bin", (2020, 1, 1, 0, 0, 0)), bytes(range(256)))
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        return [z.namelist(), z.read("a.txt")[:12], z.testzip(), len(buf.getvalue())]


def case_tarfile_memory():
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo("x.txt")
        info.size, info.mtime = 5, 0
        t.addfile(info, io.BytesIO(b"hello"))
    buf.seek(0)
    with tarfile.open(fileobj=buf, mode="r:gz") as t:
        return [t.getnames(), t.extractfile("x.txt").read()]


def case_quopri_uu():
    import quopri
    return [quopri.encodestring("café=1\n".encode()), quopri.decodestring(b"caf=C3=A9")]


def case_plistlib():
    import plistlib
    data = {"name": "x", "n": 3, "items": [1.5, True], "raw": b"\x00\x01"}
    return [plistlib.loads(plistlib.dumps(data)) == data, plistlib.loads(plistlib.dumps(data, fmt=plistlib.FMT_BINARY)) == data]


def case_configparser():
    import configparser
    cp = configparser.ConfigParser()
    cp.read_string("[server]\nhost = example.org\nport = 8080\ndebug = yes\n[paths]\nroot = /srv\nlogs = %(root)s/logs\n")
    return [cp.sections(), cp["server"].getint("port"), cp.getboolean("server", "debug"), cp["paths"]["logs"]]


def case_tomllib():
    import tomllib
    return tomllib.loads('title = "x"\n[owner]\nname = "Tom"\ndob = 1979-05-27T07:32:00-08:00\n[[items]]\nn = 1\n[[items]]\nn = 2\n')


def case_xml_etree():
    import xml.etree.ElementTree as ET
    root = ET.fromstring("<root><item id='1'>A</item><item id='2'>B<sub/></item></root>")
    root.append(ET.Element("item", id="3"))
    return [[(e.get("id"), e.text) for e in root.iter("item")], ET.tostring(root, encoding="unicode"), root.find(".//sub") is not None]


def case_xml_minidom():
    from xml.dom import minidom
    doc = minidom.parseString("<a><b x='1'>text</b></a>")
    return [doc.getElementsByTagName("b")[0].getAttribute("x"), doc.documentElement.toxml()]


def case_xml_sax():
    import xml.sax

    class H(xml.sax.ContentHandler):
        def __init__(self):
            super().__init__()
            self.tags = []

        def startElement(self, name, attrs):
            self.tags.append((name, dict(attrs)))
    h = H()
    xml.sax.parseString(b"<r><c a='1'/><c a='2'/></r>", h)
    return h.tags


def case_xml_bad():
    import xml.etree.ElementTree as ET
    return ET.fromstring("<a><b></a>")


def case_array():
    import array
    a = array.array("d", [1.5, 2.5])
    a.append(3.5)
    b = array.array("i", range(5))
    return [a.tolist(), a.tobytes(), b[::-1], array.array("u", "héllo").tounicode(), b.itemsize, a.typecode]


@task
def run():
    return run_cases(globals())


import dataclasses  # noqa: E402


@dataclasses.dataclass
class Point:
    x: int
    y: int
