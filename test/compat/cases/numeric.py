"""Numbers: ints, floats, math, cmath, decimal, fractions, statistics, random."""
from capsule import task
from _compat import run_cases


def case_big_ints():
    return [2 ** 200, -(3 ** 150) // 7, pow(3, 10 ** 5, 10 ** 9 + 7), (10 ** 40 + 1) % 97, int("9" * 50) + 1]


def case_int_str_limit():
    return int("1" * 5000)


def case_int_methods():
    return [(255).bit_length(), (255).to_bytes(2, "big"), int.from_bytes(b"\x01\x00", "little"), (-7).bit_count(), divmod(-7, 2), (10).as_integer_ratio()]


def case_float_repr():
    return [0.1 + 0.2, 1e300 * 10, -0.0, float("nan") != float("nan"), 1 / 3, 2.5e-310, round(2.675, 2), float.fromhex("0x1.8p1"), (0.5).hex()]


def case_float_format():
    return [format(1234.5678, ".2e"), format(0.000123, "g"), format(1e16, "f"), str(1e16), repr(1e-5), format(12345.678, "_.1f")]


def case_math_funcs():
    import math
    return [math.sqrt(2), math.exp(1), math.log(10), math.log2(1024), math.log10(0.001), math.sin(1), math.atan2(1, -1),
            math.hypot(3, 4, 12), math.gamma(5.5), math.lgamma(100), math.erf(0.5), math.fsum([0.1] * 10)]


def case_math_int():
    import math
    return [math.factorial(30), math.comb(50, 25), math.perm(10, 3), math.gcd(12, 18, 27), math.lcm(4, 6, 10), math.isqrt(10 ** 30 + 5), math.prod(range(1, 15))]


def case_math_errors():
    import math
    out = []
    for f, x in ((math.sqrt, -1), (math.log, 0), (math.exp, 1000), (math.acos, 2)):
        try:
            out.append(f(x))
        except (ValueError, OverflowError) as e:
            out.append("%s: %s" % (type(e).__name__, e))
    return out


def case_math_special():
    import math
    return [math.isclose(1.0, 1.0 + 1e-10), math.isfinite(math.inf), math.copysign(1, -0.0), math.frexp(8.0), math.ldexp(0.5, 4),
            math.modf(3.75), math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.5), math.nextafter(1.0, 2.0), math.ulp(1.0), math.dist((0, 0), (3, 4))]


def case_cmath():
    import cmath
    return [cmath.sqrt(-4), cmath.exp(1j * cmath.pi), cmath.phase(-1), cmath.polar(1 + 1j), abs(3 + 4j), (1 + 2j) * (3 - 1j)]


def case_decimal_arith():
    from decimal import Decimal, getcontext, ROUND_HALF_UP
    getcontext().prec = 40
    return [str(Decimal(1) / Decimal(7)), str(Decimal("1.1") + Decimal("2.2")), str(Decimal(2).sqrt()), str(Decimal("2.675").quantize(Decimal("0.01"), ROUND_HALF_UP)),
            str(Decimal("1e-30").ln()), str(Decimal(10) ** 50), Decimal("3.14").as_tuple()]


def case_decimal_errors():
    from decimal import Decimal, localcontext, InvalidOperation, DivisionByZero
    out = []
    with localcontext() as ctx:
        ctx.traps[InvalidOperation] = True
        for a, b in (("1", "0"), ("0", "0"), ("abc", "1")):
            try:
                out.append(str(Decimal(a) / Decimal(b)))
            except (InvalidOperation, DivisionByZero) as e:
                out.append(type(e).__name__)
    return out


def case_fractions():
    from fractions import Fraction
    return [Fraction(3, 4) + Fraction(5, 6), Fraction("0.125"), Fraction(1.1).limit_denominator(100), Fraction(2, 3) ** 3, float(Fraction(22, 7))]


def case_statistics():
    import statistics as st
    data = [2, 4, 4, 4, 5, 5, 7, 9, 10.5]
    return [st.mean(data), st.fmean(data), st.median(data), st.mode(data), st.pstdev(data), st.variance(data), st.quantiles(data, n=4),
            st.geometric_mean([1, 2, 4]), st.harmonic_mean([1, 2, 4]), st.correlation([1, 2, 3], [2, 4, 7])]


def case_statistics_normal():
    from statistics import NormalDist
    n = NormalDist(100, 15)
    return [n.cdf(130), n.inv_cdf(0.9), n.pdf(100), NormalDist.from_samples([1, 2, 3, 4]).stdev]


def case_random_seeded():
    import random
    r = random.Random(12345)
    return [r.random(), r.randint(1, 1000), r.choice("abcdef"), r.sample(range(100), 5), r.gauss(0, 1), r.uniform(1, 2), r.getrandbits(64)]


def case_random_shuffle():
    import random
    r = random.Random("seed-string")
    xs = list(range(20))
    r.shuffle(xs)
    return [xs, r.choices("abc", weights=[1, 2, 3], k=10), r.randbytes(8), r.triangular(0, 10, 3), r.betavariate(2, 3)]


def case_secrets_shapes():
    import secrets
    return [len(secrets.token_hex(16)), len(secrets.token_bytes(10)), len(secrets.token_urlsafe(16)) >= 16, 0 <= secrets.randbelow(10) < 10]


def case_operator_numbers():
    import operator
    return [operator.add(2, 3), operator.floordiv(-7, 2), operator.mod(-7, 2), operator.pow(2, -1), operator.truediv(1, 4), operator.index(5)]


def case_complex_numbers():
    return [complex("1+2j"), (1 + 2j).conjugate(), (2j) ** 2, complex(3, 4).real, divmod(7.5, 2), round(1234.5678, -2), round(0.5), round(1.5)]


def case_zero_division():
    return 1 / 0


def case_overflow():
    return 10.0 ** 400


def case_numbers_abc():
    import numbers
    from fractions import Fraction
    from decimal import Decimal
    return [isinstance(1, numbers.Integral), isinstance(1.0, numbers.Real), isinstance(Fraction(1, 2), numbers.Rational), isinstance(Decimal(1), numbers.Number), isinstance(1j, numbers.Complex)]


@task
def run():
    return run_cases(globals())
