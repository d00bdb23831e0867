"""The personas' work for the load benchmark (issue #20); run by bench/load/run.py, which makes the
accounts and passes them in ``LOAD_ACCOUNTS`` (a JSON file) with the database in ``LOAD_DATABASE_URL``.

Personas (weights: the mix of 50 users is about 5 office, 20 town, 8 department, 4 API, 13 portal):

- office (区联席办): the cockpit, triage, the signal list with filters, the alert list, a signal and an
  alert page opened from the lists, rarely the case ledger's Excel export;
- town (镇街): its work queue (home, 我的待办), its signals (filters), a signal page, its alerts and an
  alert page, the case ledger with filters and a case page, rarely the ledger's Excel export;
- department (城建局, 人社局): the same pages in its line;
- API (a data exchange of the office, token auth): bulk observations POSTs (50 rows, each with its
  own Idempotency-Key) and GET lists of alerts, signals and enterprises;
- the public worker portal: a worker opens the report form (and its captcha picture), submits a
  report, then looks it up by tracking code and phone a few times.

Every account logs in through the real login form (CSRF and the one-time form token read from the
page, the Referer a browser sends). Every request is named by its page (``name=``), so ids do not
split the table; any answer other than 2xx/3xx is an error, and so is a page that lands on the login
form or a form that comes back with its errors instead of redirecting.

The portal, honestly: its captcha stays on and its per-address limits (``portal.submissions_per_hour``,
``portal.lookups_per_hour``, nginx's ``limit_req`` on portal POSTs) stay as they are. Each simulated
worker comes from an address of its own — the connection is bound to a fresh loopback source address
(127.0.x.y), so nginx sees it as ``$remote_addr`` and appends it to X-Forwarded-For, which the app
(``BEHIND_PROXY``) reads as the client address; no header is forged. A worker reads the captcha the
way a person reads the picture: here by looking its answer up in the database by the form's key
(``captcha_captchastore``) — the only bench-only shortcut; the check and its single use are the app's.

``LOAD_THINK=short`` (the 1-user baseline runs): 0.2 s between requests instead of 1–5 s, for more
samples; one user still sends one request at a time.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path

import psycopg
import urllib3
from locust import HttpUser, between, constant, task
from locust.clients import HttpSession, LocustHttpAdapter

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the run's self-signed certificate

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
THINK = constant(0.2) if os.environ.get("LOAD_THINK") == "short" else between(1, 5)

INPUT = re.compile(r"<input\b[^>]*>", re.S)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
LINK = {kind: re.compile(rf'href="/{kind}/(\d+)/"') for kind in ("signals", "alerts", "cases")}
TOWN_OPTION = re.compile(r'<option value="(\d+)"')
CAPTCHA_IMAGE = re.compile(r'src="(/captcha/image/[0-9a-f]+/(?:@2/)?)"')
TRACKING_CODE = re.compile(r'data-code="([A-Z0-9]{16})"')


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of a page (CSRF token, one-time form token, captcha key)."""
    fields = {}
    for tag in INPUT.findall(page):
        attrs = dict(ATTR.findall(tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = html.unescape(attrs.get("value", ""))
    return fields


class Persona(HttpUser):
    """A logged-in user of the district's screens."""

    abstract = True
    wait_time = THINK
    role = ""
    seen: dict[str, list[str]]

    def on_start(self) -> None:
        self.client.verify = False
        self.client.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify
        self.seen = {"signals": [], "alerts": [], "cases": []}
        self.login(self.username())

    def username(self) -> str:
        raise NotImplementedError

    def login(self, username: str) -> None:
        with self.client.get("/login/", name="login: form", catch_response=True) as answer:
            fields = hidden_fields(answer.text)
            if "csrfmiddlewaretoken" not in fields:
                answer.failure("no CSRF token on the login form")
                return
        fields.update(username=username, password=ACCOUNTS["password"])
        with self.client.post(
            "/login/",
            data=fields,
            headers={"Referer": f"{self.host}/login/"},
            name="login: POST",
            catch_response=True,
        ) as answer:
            if answer.url.rstrip("/").endswith("/login") or "/password/" in answer.url:
                answer.failure(f"login refused or sent elsewhere ({answer.url})")

    def page(self, url: str, name: str, *, remember: str = "") -> str:
        """GET a screen; a landing on the login form is an error. ``remember``: collect the ids of
        the signals/alerts/cases linked from it (what a user clicks next)."""
        with self.client.get(url, name=f"{self.role}: {name}", catch_response=True) as answer:
            if answer.status_code >= 400:
                answer.failure(f"HTTP {answer.status_code}")
                return ""
            if "/login/" in answer.url:
                answer.failure("sent to the login form")
                return ""
            text = answer.text
        if remember:
            found = LINK[remember].findall(text)
            if found:
                self.seen[remember] = found[:50]
        return text

    def open_one(self, kind: str, name: str) -> None:
        if self.seen[kind]:
            self.page(f"/{kind}/{random.choice(self.seen[kind])}/", name)

    def export(self, url: str, name: str) -> None:
        with self.client.get(url, name=f"{self.role}: {name}", catch_response=True) as answer:
            kind = answer.headers.get("Content-Type", "")
            if answer.status_code != 200 or "spreadsheetml" not in kind:
                answer.failure(f"HTTP {answer.status_code} {kind}")


class OfficeUser(Persona):
    weight = 5
    role = "office"

    def username(self) -> str:
        return random.choice(ACCOUNTS["office"])

    @task(4)
    def cockpit(self) -> None:
        self.page("/cockpit/", "cockpit")

    @task(3)
    def triage(self) -> None:
        self.page("/signals/triage/", "signals triage", remember="signals")

    @task(3)
    def signals(self) -> None:
        query = random.choice(
            ["?stage=received", "?overdue=on", "?kind=wage_complaint&stage=verified", "?q=基准企业"]
        )
        self.page(f"/signals/{query}", "signal list (filters)", remember="signals")

    @task(2)
    def signal(self) -> None:
        self.open_one("signals", "signal page")

    @task(3)
    def alerts(self) -> None:
        query = random.choice(["", "?level=red", "?level=orange&status=open"])
        self.page(f"/alerts/{query}", "alert list (filters)", remember="alerts")

    @task(2)
    def alert(self) -> None:
        self.open_one("alerts", "alert page")

    @task(2)
    def cases(self) -> None:
        query = random.choice(["", "?state=open", "?overdue=on"])
        self.page(f"/cases/{query}", "case ledger (filters)", remember="cases")

    @task(1)
    def case(self) -> None:
        self.open_one("cases", "case page")

    @task(1)
    def export_cases(self) -> None:
        self.export("/cases/?export=xlsx&state=open", "case ledger export (xlsx)")


class TownUser(Persona):
    weight = 20
    role = "town"

    def username(self) -> str:
        return random.choice(ACCOUNTS["towns"])

    @task(4)
    def home(self) -> None:
        self.page("/", "home (work queue)", remember="signals")

    @task(2)
    def todo(self) -> None:
        self.page("/cases/todo/", "我的待办", remember="cases")

    @task(3)
    def signals(self) -> None:
        query = random.choice(["?mine=on", "?stage=received", "?overdue=on", "?kind=wage_complaint"])
        self.page(f"/signals/{query}", "signal list (filters)", remember="signals")

    @task(3)
    def signal(self) -> None:
        self.open_one("signals", "signal page")

    @task(2)
    def alerts(self) -> None:
        self.page(
            random.choice(["/alerts/", "/alerts/?status=open"]), "alert list (filters)", remember="alerts"
        )

    @task(2)
    def alert(self) -> None:
        self.open_one("alerts", "alert page")

    @task(3)
    def cases(self) -> None:
        query = random.choice(["", "?state=open", "?stage=facts", "?overdue=on", "?q=基准企业"])
        self.page(f"/cases/{query}", "case ledger (filters)", remember="cases")

    @task(3)
    def case(self) -> None:
        self.open_one("cases", "case page")

    @task(1)
    def export_cases(self) -> None:
        self.export("/cases/?export=xlsx", "case ledger export (xlsx)")


class DepartmentUser(Persona):
    weight = 8
    role = "department"

    def username(self) -> str:
        return random.choice(ACCOUNTS["departments"])

    @task(3)
    def home(self) -> None:
        self.page("/", "home (work queue)", remember="signals")

    @task(2)
    def todo(self) -> None:
        self.page("/cases/todo/", "我的待办", remember="cases")

    @task(3)
    def signals(self) -> None:
        query = random.choice(["", "?stage=received", "?overdue=on"])
        self.page(f"/signals/{query}", "signal list (filters)", remember="signals")

    @task(2)
    def signal(self) -> None:
        self.open_one("signals", "signal page")

    @task(2)
    def alerts(self) -> None:
        self.page("/alerts/", "alert list (filters)", remember="alerts")

    @task(1)
    def alert(self) -> None:
        self.open_one("alerts", "alert page")

    @task(2)
    def cases(self) -> None:
        self.page(random.choice(["/cases/", "/cases/?state=open"]), "case ledger (filters)", remember="cases")

    @task(2)
    def case(self) -> None:
        self.open_one("cases", "case page")

    @task(1)
    def export_cases(self) -> None:
        self.export("/cases/?export=xlsx", "case ledger export (xlsx)")


class ApiUser(HttpUser):
    """A data exchange of the office: monthly readings pushed in bulk, lists read back."""

    weight = 4
    wait_time = THINK

    def on_start(self) -> None:
        self.client.verify = False
        self.client.trust_env = False
        self.client.headers["Authorization"] = f"Token {ACCOUNTS['api_token']}"

    def get_list(self, url: str, name: str) -> None:
        with self.client.get(url, name=f"api: {name}", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")

    @task(2)
    def observations(self) -> None:
        month = random.choice(["2026-09", "2026-10", "2026-11"])
        rows = [
            {
                "enterprise_uscc": uscc,
                "indicator": "electricity_kwh",
                "month": month,
                "value": str(random.randrange(500, 60_000)),
            }
            for uscc in random.sample(ACCOUNTS["usccs"], 50)
        ]
        with self.client.post(
            "/api/v1/observations/",
            json=rows,
            headers={"Idempotency-Key": str(uuid.uuid4())},
            name="api: observations bulk POST (50 rows)",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")

    @task(2)
    def alerts(self) -> None:
        self.get_list(random.choice(["/api/v1/alerts/", "/api/v1/alerts/?level=red"]), "alert list")

    @task(1)
    def signals(self) -> None:
        self.get_list("/api/v1/signals/", "signal list")

    @task(1)
    def enterprises(self) -> None:
        self.get_list(f"/api/v1/enterprises/?page={random.randrange(1, 50)}", "enterprise list")


class SourceAddressAdapter(LocustHttpAdapter):
    """Connections from one loopback address: one worker's phone, as nginx will see it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(pool_manager=None)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


_addresses = itertools.count(1)


def next_address() -> str:
    """127.0.0.1 is the office staff's; workers take 127.1.0.1 onwards (the whole of 127/8 is loopback)."""
    n = next(_addresses)
    return f"127.{1 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"


class PortalUser(HttpUser):
    """Workers on the public portal: each report from a worker of its own (own address, own
    browser session), looked up again later by the same worker."""

    weight = 13
    wait_time = THINK

    def on_start(self) -> None:
        self.workers: list[dict] = []
        self.database = psycopg.connect(os.environ["LOAD_DATABASE_URL"], autocommit=True)

    def on_stop(self) -> None:
        self.database.close()
        for worker in self.workers:
            worker["session"].close()

    def new_worker(self) -> dict:
        session = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
        session.verify = False
        session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify
        session.mount("https://", SourceAddressAdapter(next_address()))
        phone = f"139{random.randrange(10**8):08d}"
        worker = {"session": session, "phone": phone, "code": ""}
        self.workers = [*self.workers[-4:], worker]
        return worker

    def captcha_answer(self, session: HttpSession, page: str, name: str) -> str | None:
        """The worker looks at the picture (fetched as a browser does) and types its digits."""
        image = CAPTCHA_IMAGE.search(page)
        if image:
            session.get(image.group(1), name=f"portal: captcha image ({name})")
        key = hidden_fields(page).get("captcha_0")
        if not key:
            return None
        row = self.database.execute(
            "SELECT response FROM captcha_captchastore WHERE hashkey = %s", (key,)
        ).fetchone()
        return row[0] if row else None

    @task(1)
    def home(self) -> None:
        worker = self.workers[-1] if self.workers else self.new_worker()
        worker["session"].get("/public/", name="portal: home")

    @task(3)
    def report(self) -> None:
        worker = self.new_worker()
        session = worker["session"]
        with session.get("/public/report/", name="portal: report form", catch_response=True) as answer:
            page = answer.text
        answer_digits = self.captcha_answer(session, page, "report")
        towns = TOWN_OPTION.findall(page)
        if answer_digits is None or not towns:
            return
        uscc = random.choice(ACCOUNTS["usccs"])
        data = {
            **hidden_fields(page),
            "employer_name": "基准企业",
            "employer_uscc": uscc,
            "town": random.choice(towns),
            "work_address": "罗溪镇空港大道88号",
            "period": "2026年8月至10月",
            "months_owed": str(random.randrange(1, 4)),
            "amount": str(random.randrange(3, 60) * 1000),
            "workers": str(random.randrange(1, 12)),
            "summary": "老板拖欠工资三个月，多次讨要未果。",
            "reporter_name": "王五",
            "reporter_phone": worker["phone"],
            "consent": "on",
            "captcha_1": answer_digits,
        }
        with session.post(
            "/public/report/",
            data=data,
            headers={"Referer": f"{self.host}/public/report/"},
            name="portal: report POST",
            catch_response=True,
        ) as answer:
            found = TRACKING_CODE.search(answer.text)
            if not found:
                answer.failure(f"no tracking code (landed on {answer.url}, HTTP {answer.status_code})")
                return
            worker["code"] = found.group(1)

    @task(4)
    def lookup(self) -> None:
        reported = [w for w in self.workers if w["code"]]
        if not reported:
            return
        worker = random.choice(reported)
        session = worker["session"]
        with session.get("/public/track/", name="portal: track form", catch_response=True) as answer:
            page = answer.text
        answer_digits = self.captcha_answer(session, page, "track")
        if answer_digits is None:
            return
        with session.post(
            "/public/track/",
            data={
                **hidden_fields(page),
                "code": worker["code"],
                "phone": worker["phone"],
                "captcha_1": answer_digits,
            },
            headers={"Referer": f"{self.host}/public/track/"},
            name="portal: track POST → status page",
            catch_response=True,
        ) as answer:
            if f"/public/track/{worker['code']}/" not in answer.url:
                answer.failure(f"lookup refused (landed on {answer.url}, HTTP {answer.status_code})")
