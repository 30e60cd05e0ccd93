"""Collections, itertools, functools, heapq, bisect, dataclasses, enum, typing, abc, contextlib."""
from capsule import task
from _compat import run_cases


def case_builtins_containers():
    d = {"b": 2, "a": 1}
    d |= {"c": 3}
    return [sorted(d.items()), list(reversed(d)), {k: v for k, v in zip("xyz", range(3))}, [*range(3), *"ab"], dict.fromkeys("ab", 0), list(zip(*[(1, 2), (3, 4)]))]


def case_sorting():
    people = [("bob", 25), ("alice", 30), ("carol", 25), ("dave", 30)]
    return [sorted(people, key=lambda p: (-p[1], p[0])), sorted("Banana apple Cherry".split(), key=str.lower), min(people, key=lambda p: p[1]), sorted([3, 1, 2], reverse=True)]


def case_counter():
    from collections import Counter
    c = Counter("mississippi")
    c2 = Counter(a=3, b=1)
    return [c.most_common(3), sorted(c.elements())[:5], c + Counter("sip"), c2 - Counter(a=1, b=2), c.total()]


def case_deque_ordereddict():
    from collections import OrderedDict, deque
    q = deque(range(5), maxlen=4)
    q.rotate(1)
    q.appendleft(-1)
    od = OrderedDict.fromkeys("abc")
    od.move_to_end("a")
    return [list(q), list(od), od.popitem(last=False)]


def case_defaultdict_chainmap():
    from collections import ChainMap, defaultdict
    dd = defaultdict(list)
    for k, v in [("a", 1), ("b", 2), ("a", 3)]:
        dd[k].append(v)
    cm = ChainMap({"x": 1}, {"x": 2, "y": 3})
    return [dict(dd), cm["x"], cm["y"], list(cm.new_child({"z": 0}).keys())]


def case_namedtuple():
    from collections import namedtuple
    P = namedtuple("P", "x y", defaults=[0])
    p = P(1)
    return [p, p._replace(y=5), p._asdict(), P._fields, P(*"ab")]


def case_itertools():
    import itertools as it
    return [list(it.islice(it.count(10, 5), 4)), list(it.combinations("abcd", 2)), list(it.product("ab", repeat=2)), list(it.groupby("aaabbc")) and [(k, len(list(g))) for k, g in it.groupby("aaabbc")],
            list(it.chain.from_iterable([[1], [2, 3]])), list(it.zip_longest("ab", "xyz", fillvalue="-")), list(it.pairwise("abcd")), list(it.starmap(pow, [(2, 3), (3, 2)])),
            list(it.takewhile(lambda x: x < 3, range(10))), list(it.compress("abcdef", [1, 0, 1, 0, 1, 1])), list(it.accumulate([1, 2, 3], lambda a, b: a * b)), list(it.permutations(range(3)))]


def case_functools():
    import functools

    @functools.lru_cache(maxsize=2)
    def sq(x):
        return x * x
    [sq(i) for i in (1, 2, 1, 3, 1)]

    @functools.singledispatch
    def kind(x):
        return "other"

    @kind.register
    def _(x: int):
        return "int"
    p = functools.partial(int, base=2)
    return [sq.cache_info(), kind(1), kind("a"), p("101"), functools.reduce(lambda a, b: a + b, "abc"), functools.cmp_to_key(lambda a, b: b - a)(1) < functools.cmp_to_key(lambda a, b: b - a)(2)]


def case_functools_cached_property():
    import functools

    class C:
        calls = 0

        @functools.cached_property
        def v(self):
            C.calls += 1
            return 42
    c = C()
    return [c.v, c.v, C.calls]


def case_heapq_bisect():
    import bisect
    import heapq
    h = [5, 1, 8, 3, 2]
    heapq.heapify(h)
    xs = [1, 3, 3, 7]
    bisect.insort(xs, 4)
    return [heapq.heappop(h), heapq.nsmallest(2, h), heapq.nlargest(2, [4, 9, 1]), list(heapq.merge([1, 4], [2, 3])), bisect.bisect_left(xs, 3), bisect.bisect_right(xs, 3), xs]


def case_dataclasses():
    import dataclasses

    @dataclasses.dataclass(order=True, frozen=True)
    class Item:
        name: str
        qty: int = 0
        tags: tuple = ()

    a, b = Item("x", 2), Item("x", 3)
    out = [a < b, dataclasses.asdict(a), dataclasses.replace(a, qty=9), [f.name for f in dataclasses.fields(Item)], repr(a)]
    try:
        a.qty = 5
    except dataclasses.FrozenInstanceError as e:
        out.append(type(e).__name__)
    return out


def case_dataclasses_slots_kw():
    import dataclasses

    @dataclasses.dataclass(slots=True, kw_only=True)
    class S:
        a: int
        b: list = dataclasses.field(default_factory=list)
    s = S(a=1)
    return [s, hasattr(s, "__dict__"), S.__slots__]


def case_enum():
    import enum

    class Color(enum.Enum):
        RED = 1
        GREEN = 2

    class Perm(enum.IntFlag):
        R = 4
        W = 2
        X = 1

    class Size(enum.StrEnum):
        S = enum.auto()
        M = enum.auto()
    return [Color.RED, Color(2).name, list(Color), Perm.R | Perm.W, (Perm.R | Perm.W).value, Perm(7), Size.M, Size("s"), str(Size.S)]


def case_typing():
    import typing
    from typing import Optional, Union, get_args, get_origin, get_type_hints

    class TD(typing.TypedDict, total=False):
        a: int
        b: str

    def f(x: int, y: Optional[str] = None) -> list[int]:
        return []
    return [get_type_hints(f), get_origin(Union[int, str]), get_args(dict[str, int]), TD.__optional_keys__ == frozenset({"a", "b"}), typing.Literal["x"], repr(Optional[int])]


def case_typing_protocol():
    from typing import Protocol, runtime_checkable

    @runtime_checkable
    class Sized(Protocol):
        def __len__(self) -> int: ...
    return [isinstance([], Sized), isinstance(1, Sized)]


def case_abc():
    import abc

    class Base(abc.ABC):
        @abc.abstractmethod
        def go(self): ...
    try:
        Base()
    except TypeError as e:
        return str(e)


def case_contextlib():
    import contextlib
    log = []

    @contextlib.contextmanager
    def tag(name):
        log.append("<" + name)
        yield name
        log.append(name + ">")
    with contextlib.ExitStack() as st:
        st.enter_context(tag("a"))
        st.enter_context(tag("b"))
    with contextlib.suppress(KeyError):
        {}["x"]
    return log


def case_generators():
    def gen():
        x = yield 1
        while x:
            x = yield x * 2

    g = gen()
    out = [next(g), g.send(5), g.send(7)]

    def sub():
        yield from range(3)
        return "done"

    def outer():
        r = yield from sub()
        yield r
    return out + [list(outer()), sum(x * x for x in range(10))]


def case_exceptions_groups():
    try:
        raise ExceptionGroup("many", [ValueError("a"), TypeError("b")])
    except* ValueError as eg:
        got = [str(e) for e in eg.exceptions]
    except* TypeError:
        pass
    err = ValueError("x")
    err.add_note("note 1")
    return [got, err.__notes__]


def case_exception_chain():
    import traceback
    try:
        try:
            {}["k"]
        except KeyError as e:
            raise RuntimeError("wrapped") from e
    except RuntimeError as e:
        return [type(e.__cause__).__name__, traceback.format_exception_only(type(e), e)]


def case_match_statement():
    def describe(x):
        match x:
            case {"type": "point", "x": px, "y": py}:
                return f"point {px},{py}"
            case [first, *rest]:
                return f"list {first} +{len(rest)}"
            case int() | float() as n if n > 0:
                return "positive"
            case _:
                return "other"
    return [describe({"type": "point", "x": 1, "y": 2}), describe([1, 2, 3]), describe(5), describe(-1)]


def case_weakref():
    import gc
    import weakref

    class Obj:
        pass
    o = Obj()
    r = weakref.ref(o)
    alive = r() is o
    del o
    gc.collect()
    d = weakref.WeakValueDictionary()
    return [alive, r() is None, len(d)]


def case_operator_itemgetter():
    import operator
    rows = [{"n": "b", "v": 2}, {"n": "a", "v": 1}]
    return [sorted(rows, key=operator.itemgetter("n")), list(map(operator.attrgetter("real"), [1, 2.5])), operator.methodcaller("upper")("x")]


def case_graphlib():
    import graphlib
    ts = graphlib.TopologicalSorter({"d": {"b", "c"}, "b": {"a"}, "c": {"a"}})
    order = list(ts.static_order())
    return [order[0], order[-1], len(order)]


def case_types_simplenamespace():
    import types
    ns = types.SimpleNamespace(a=1, b=2)
    ns.c = 3
    return [ns, types.MappingProxyType({"x": 1})["x"], type(lambda: 0) is types.FunctionType]


@task
def run():
    return run_cases(globals())
