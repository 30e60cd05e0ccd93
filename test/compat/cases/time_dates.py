"""datetime, time, calendar, zoneinfo."""
from capsule import task
from _compat import run_cases


def case_datetime_arith():
    import datetime as dt
    d = dt.datetime(2024, 2, 28, 23, 30)
    return [d + dt.timedelta(hours=1), (dt.date(2024, 12, 25) - dt.date(2024, 1, 1)).days, dt.timedelta(days=1, seconds=-1), d.isocalendar(), d.weekday(), d.replace(year=2023).isoformat()]


def case_datetime_format_parse():
    import datetime as dt
    d = dt.datetime(2024, 3, 5, 7, 8, 9, 123456)
    return [d.strftime("%Y-%m-%d %H:%M:%S.%f %j %U %a %b %p"), dt.datetime.strptime("05/03/2024 07:08", "%d/%m/%Y %H:%M"), dt.datetime.fromisoformat("2024-03-05T07:08:09+02:00"),
            dt.date.fromisoformat("2024-03-05").ctime(), d.isoformat(timespec="milliseconds")]


def case_datetime_timezone():
    import datetime as dt
    tz = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
    d = dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone.utc)
    return [d.astimezone(tz), d.astimezone(tz).tzname(), d.timestamp(), dt.datetime.fromtimestamp(0, dt.timezone.utc), dt.datetime.utcfromtimestamp(86400)]


def case_zoneinfo_dst():
    import datetime as dt
    from zoneinfo import ZoneInfo
    ny = ZoneInfo("America/New_York")
    before = dt.datetime(2024, 3, 10, 1, 30, tzinfo=ny)
    after = before + dt.timedelta(hours=1)
    return [before.utcoffset(), (before.astimezone(dt.timezone.utc) + dt.timedelta(hours=1)).astimezone(ny), after.tzname(),
            dt.datetime(2024, 11, 3, 1, 30, fold=1, tzinfo=ny).utcoffset(), str(ny)]


def case_zoneinfo_many():
    import datetime as dt
    from zoneinfo import ZoneInfo
    t = dt.datetime(2023, 7, 14, 12, tzinfo=dt.timezone.utc)
    return [t.astimezone(ZoneInfo(k)).isoformat() for k in ("Europe/London", "Asia/Tokyo", "Australia/Sydney", "Africa/Cairo", "America/Los_Angeles", "Pacific/Chatham", "Etc/GMT+5", "US/Eastern")]


def case_zoneinfo_missing():
    from zoneinfo import ZoneInfo
    return ZoneInfo("Mars/Olympus_Mons")


def case_calendar():
    import calendar
    return [calendar.isleap(2100), calendar.monthrange(2024, 2), calendar.weekday(2024, 1, 1), calendar.month(2024, 2), calendar.timegm((2024, 1, 1, 0, 0, 0)), list(calendar.day_abbr)]


def case_time_functions():
    import time
    t = time.gmtime(1_700_000_000)
    return [time.strftime("%Y-%m-%dT%H:%M:%SZ", t), time.mktime(time.localtime(1_700_000_000)) == 1_700_000_000, tuple(time.strptime("2024-01-02", "%Y-%m-%d"))[:6],
            time.asctime(t), time.timezone, time.daylight, time.tzname]


def case_time_clocks():
    import time
    a, b = time.monotonic(), time.perf_counter()
    time.sleep(0.01)
    return [time.monotonic() >= a + 0.009, time.perf_counter() > b, time.time() > 1.7e9, isinstance(time.time_ns(), int), time.get_clock_info("monotonic").monotonic]


def case_time_localtime():
    import time
    return [tuple(time.localtime(0))[:6], time.strftime("%Z", time.localtime(0)), tuple(time.gmtime(0))]


@task
def run():
    return run_cases(globals())
