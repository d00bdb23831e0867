"""The file exchange end to end, with two real databases (docs/operations.md §15.4): a portal host on
its own SQLite file (``ANXIN_ZONE=public``, ``ANXIN_PORTAL_EXCHANGE=files``) and the internal zone on
another, each with its own MEDIA_ROOT, every step a real ``manage.py`` process.

A worker reports with a photo through the portal's pages → ``export-reports`` → ``import-reports`` →
``tick`` routes it → an officer replies and closes it → ``export-status`` → ``import-status`` → the
portal's status page shows 已办结 and the reply; the worker rates 不满意 → the next reports bundle →
the report is reopened inside and its handlers told.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXCHANGE_KEY = "ZXhjaGFuZ2Uta2V5LWZvci10aGUtdHdvLXNpZGVzLTE="  # 32 bytes, base64


def _env(tmp: Path, side: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANXIN_", "DJANGO_", "DATABASE_URL", "MEDIA_ROOT"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="anxin.settings",
        DEBUG="false",
        SECRET_KEY=f"{side}-secret-key-for-the-exchange-test-0123456789abcdef",
        FIELD_ENCRYPTION_KEY="dGVzdC1vbmx5LWZpZWxkLWtleS0xMjM0NTY3ODkwYWI=",  # the same on both sides
        HTTPS="false",
        ALLOWED_HOSTS="testserver,localhost",
        DATABASE_URL=f"sqlite:///{tmp / side}.sqlite3",
        MEDIA_ROOT=str(tmp / f"{side}-media"),
        SMS_LOG_FILE=str(tmp / f"{side}-sms.log"),
        ANXIN_EXCHANGE_KEY=EXCHANGE_KEY,
        LOG_LEVEL="WARNING",
    )
    if side == "portal":
        env.update(ANXIN_ZONE="public", ANXIN_PORTAL_EXCHANGE="files")
    else:
        env.update(ANXIN_ZONE="internal", ANXIN_PUBLIC_ZONE_COPIES="true")
    return env


def _manage(tmp: Path, side: str, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(tmp, side),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"{side}: manage.py {' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _script(tmp: Path, side: str, code: str) -> dict:
    """Run ``code`` in a Django shell of ``side``; it prints one JSON line last."""
    out = _manage(tmp, side, "shell", "-c", textwrap.dedent(code))
    return json.loads(out.strip().splitlines()[-1])


def _only(directory: Path) -> Path:
    (found,) = sorted(directory.glob("anxin-*.zip"))
    return found


PORTAL_REPORT = """
import json, re
from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from anxin.intake.tests.factories import png
from anxin.org.models import Town

client = Client()
page = client.get("/public/report/").content.decode()
key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
town = Town.objects.get(name="罗溪镇")
answer = client.post("/public/report/", {
    "employer_name": "罗溪纺织有限公司", "employer_uscc": "", "project_name": "", "reporter_id_number": "",
    "town": town.pk, "period": "2026年10月", "months_owed": 1,
    "amount": "8,600", "workers": 3, "summary": "老板说月底发，一直没发", "reporter_name": "王五",
    "reporter_phone": "13912345678", "consent": "on",
    "captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    "photos": SimpleUploadedFile("工资条.png", png(), content_type="image/png"),
})
assert answer.status_code == 302, answer.content.decode()[:2000]
code = client.session["portal_new_code"]
print(json.dumps({"code": code}))
"""

OFFICER_CLOSES = """
import json
from anxin.intake import services
from anxin.intake.models import Signal
from anxin.org.tests.factories import UserFactory

office = UserFactory(username="t_office", unit="office", role="office", full_name="联席办测试")
signal = Signal.objects.get(tracking_code="{code}")
routed = not signal.awaiting_routing
photo = signal.attachments.get()
services.signal_verify(actor=office, signal=signal, result="substantiated", note="属实")
services.signal_reply(actor=office, signal=Signal.objects.get(pk=signal.pk), text="已责令企业于11月30日前支付")
services.signal_close(actor=office, signal=Signal.objects.get(pk=signal.pk), note="已支付")
print(json.dumps({{"routed": routed, "town": signal.town.name if signal.town else None,
                  "photo": photo.file.path, "photo_name": photo.name}}))
"""

PORTAL_READS_AND_RATES = """
import json, re
from captcha.models import CaptchaStore
from django.test import Client

client = Client()
page = client.get("/public/track/").content.decode()
key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
found = client.post("/public/track/", {{"code": "{code}", "phone": "13912345678",
    "captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}})
assert found.status_code == 302, found.content.decode()[:2000]
status = client.get(found["Location"]).content.decode()
rated = client.post("/public/track/{code}/rate/", {{"rating": "dissatisfied", "comment": "钱还没到"}})
after = client.get(found["Location"]).content.decode()
print(json.dumps({{"reply": "已责令企业于11月30日前支付" in status,
                  "rate_form": 'name="rating"' in status, "rated": rated.status_code,
                  "reopened": "重新处理并答复" in after or "处理中" in after}}))
"""

INSIDE_AFTER_RATING = """
import json
from anxin.intake.models import Signal
from anxin.notify.models import Notification

signal = Signal.objects.get(tracking_code="{code}")
print(json.dumps({{"stage": signal.stage, "satisfaction": signal.satisfaction,
                  "comment": signal.satisfaction_comment, "followup": signal.followup_due_at is not None,
                  "told": Notification.objects.filter(topic="signal-followup").exists()}}))
"""


@pytest.fixture
def migrated(django_db_setup, django_db_blocker, tmp_path) -> Path:
    """``internal.sqlite3`` and ``portal.sqlite3`` in ``tmp_path``: the same schema and district file,
    nothing else — migrated once. On SQLite the test session's database (migrated, the district
    loaded and committed) is copied, which saves the half-minute a migration takes; else one is
    migrated here."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and Path(str(name)).is_file():
        with django_db_blocker.unblock():
            source, target = sqlite3.connect(name), sqlite3.connect(tmp_path / "internal.sqlite3")
            with target:
                source.backup(target)  # a consistent copy, the write-ahead log included
            source.close()
            target.close()
    else:
        _manage(tmp_path, "internal", "migrate", "--noinput")
        _manage(tmp_path, "internal", "load_district")
    shutil.copy(tmp_path / "internal.sqlite3", tmp_path / "portal.sqlite3")
    return tmp_path


@pytest.mark.django_db  # only for the session's database to copy: this process writes nothing
def test_a_report_crosses_by_files_is_handled_inside_and_its_state_and_rating_cross_back(migrated):
    tmp_path = migrated
    out_portal, out_inside = tmp_path / "portal-out", tmp_path / "internal-out"

    code = _script(tmp_path, "portal", PORTAL_REPORT)["code"]
    _manage(tmp_path, "portal", "portal_exchange", "export-reports", "--out", str(out_portal))
    bundle = _only(out_portal)
    imported = _manage(tmp_path, "internal", "portal_exchange", "import-reports", str(bundle))
    assert "intake.reports 1 条" in imported
    again = _manage(tmp_path, "internal", "portal_exchange", "import-reports", str(bundle))
    assert "未做任何改动" in again
    _manage(tmp_path, "internal", "tick")

    inside = _script(tmp_path, "internal", OFFICER_CLOSES.format(code=code))
    assert inside["routed"] and inside["town"] == "罗溪镇" and inside["photo_name"] == "工资条.png"
    assert Path(inside["photo"]).is_file() and str(tmp_path / "internal-media") in inside["photo"]

    _manage(tmp_path, "internal", "portal_exchange", "export-status", "--out", str(out_inside))
    _manage(tmp_path, "portal", "portal_exchange", "import-status", str(_only(out_inside)))
    seen = _script(tmp_path, "portal", PORTAL_READS_AND_RATES.format(code=code))
    assert seen == {"reply": True, "rate_form": True, "rated": 302, "reopened": True}

    for old in out_portal.glob("*.zip"):
        old.rename(tmp_path / old.name)
    _manage(tmp_path, "portal", "portal_exchange", "export-reports", "--out", str(out_portal))
    _manage(tmp_path, "internal", "portal_exchange", "import-reports", str(_only(out_portal)))
    after = _script(tmp_path, "internal", INSIDE_AFTER_RATING.format(code=code))
    assert after == {
        "stage": "handling",
        "satisfaction": "dissatisfied",
        "comment": "钱还没到",
        "followup": True,
        "told": True,
    }
    history = _manage(tmp_path, "internal", "portal_exchange", "history")
    assert history.count("导入") == 2 and history.count("导出") == 1
