"""The file exchange across the zone boundary (anxin/core/exchange.py, ``manage.py portal_exchange``,
docs/operations.md §15.4), in one process: the bundle's signature and members, its direction and
sequence, a second import of the same bundle, malformed rows, and the one transaction of an import.

Bundles are built here by hand (``_bundle``) where a test needs a row the exporter would never
write; the exporters are exercised on their own. Both sides are the one test database, each played
by the settings its zone sets (``portal_side`` / ``internal_side``). The two real databases meet in
tests/test_exchange_two_databases.py.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from anxin.core import exchange
from anxin.core.crypto import blind_index, encrypt
from anxin.core.models import ExchangeBundle
from anxin.intake.models import Channel, PublicProgress, Signal, SignalAttachment, Stage
from anxin.intake.services.exchange import EXCHANGED_NOTE
from anxin.intake.tests.factories import on_disk, png
from anxin.org.models import Town

KEY = b"exchange-test-key-0123456789abcd"
PHONE = "13912345678"


@pytest.fixture
def keyed(settings):
    settings.EXCHANGE_KEY = KEY
    settings.PUBLIC_ZONE_COPIES = True
    return settings


@contextlib.contextmanager
def portal_side():
    """The settings of a portal host exchanging files (ANXIN_ZONE=public, ANXIN_PORTAL_EXCHANGE=files)."""
    with override_settings(
        ANXIN_ZONE="public",
        PORTAL_EXCHANGES_FILES=True,
        PORTAL_DEFERS_ROUTING=True,
        NOTICES_DEFERRED=True,
        PORTAL_READS_DISTRICT_DATA=False,
    ):
        yield


internal_side = contextlib.nullcontext  # the test settings are the internal zone's


def _parts(direction: str) -> list[str]:
    return [p.key for p in exchange.parts(direction)]


def _bundle(
    path: Path,
    *,
    direction: str = "reports",
    sequence: int = 1,
    rows: dict | None = None,
    files: dict | None = None,
    key: bytes = KEY,
    acknowledges: int | None = None,
) -> Path:
    """A bundle as ``bundle_export`` writes it, with the rows given (every other part empty)."""
    members = {f"parts/{k}.json": json.dumps((rows or {}).get(k, [])).encode() for k in _parts(direction)}
    members.update(files or {})
    manifest = json.dumps(
        {
            "format": 1,
            "direction": direction,
            "sequence": sequence,
            "created_at": timezone.now().isoformat(),
            "source_host": "test",
            "counts": {k: len((rows or {}).get(k, [])) for k in _parts(direction)},
            "acknowledges": acknowledges,
            "members": {n: hashlib.sha256(c).hexdigest() for n, c in members.items()},
        }
    ).encode()
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("manifest.json", manifest)
        bundle.writestr("manifest.sig", hmac.new(key, manifest, hashlib.sha256).hexdigest())
        for name, content in members.items():
            bundle.writestr(name, content)
    return path


def _report_row(code: str = "ABCDEFGHJKLMNPQR", **changes) -> dict:
    now = timezone.now()
    row = {
        "tracking_code": code,
        "channel": Channel.objects.get(is_public=True).code,
        "kind": "wage_complaint",
        "town": Town.objects.get(name="罗溪镇").code,
        "project": None,
        "occurred_at": None,
        "received_at": now.isoformat(),
        "due_at": (now + datetime.timedelta(days=7)).isoformat(),
        "employer_name": "罗溪纺织有限公司",
        "employer_uscc": "",
        "project_name": "",
        "work_address": "",
        "contractor_name": "",
        "period": "2026年10月",
        "summary": "老板一直没发工资",
        "reporter_name": "王五",
        "reporter_phone_index": blind_index(PHONE, purpose="reporter-phone"),
        "source_ip_hash": "",
        "due_basis": "7 个工作日",
        "workers": 3,
        "amount": 860000,
        "months_owed": 1,
        "reporter_phone": encrypt(PHONE, context="intake.signal.reporter_phone"),
        "reporter_id_number": "",
        "photos": [],
    }
    row.update(changes)
    return row


def _import(path: Path, direction: str = "reports", **kwargs) -> exchange.Done:
    return exchange.bundle_import(path=path, direction=direction, command="test", **kwargs)


def _submitted_on_portal(count: int, *, photo: str = "a.png", amount: int = 1) -> list[Signal]:
    """``count`` reports given on the portal (call inside ``portal_side()``), each from its own
    address and with one photo."""
    from anxin.intake import services

    town = Town.objects.get(name="罗溪镇")
    facts = {
        "employer_name": "罗溪纺织有限公司",
        "summary": "欠薪",
        "reporter_phone": PHONE,
        "amount": amount,
        "workers": 1,
    }
    return [
        services.portal_submit(facts=facts, town=town, photos=[(photo, png())], ip=f"10.0.0.{n + 1}")
        for n in range(count)
    ]


# --- a report from the portal host ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_report_from_the_portal_arrives_unrouted_with_its_photo_and_the_tick_routes_it(
    keyed, district, tmp_path
):
    from anxin.intake.services import portal_reports_route

    on_disk(keyed, tmp_path / "media")
    photo = png()
    row = _report_row(photos=[{"name": "工资条.png", "file": "files/intake/a.png"}])
    path = _bundle(tmp_path / "b.zip", rows={"intake.reports": [row]}, files={"files/intake/a.png": photo})
    done = _import(path)
    signal = Signal.objects.get(tracking_code=row["tracking_code"])
    assert signal.awaiting_routing and signal.town.name == "罗溪镇" and signal.reporter_phone == PHONE
    assert signal.events.get().note.startswith(EXCHANGED_NOTE)
    attachment = SignalAttachment.objects.get(signal=signal)
    assert attachment.name == "工资条.png" and attachment.file.read() == photo
    assert done.bundle.kind == "import" and done.bundle.applied["intake.reports"] == 1
    assert portal_reports_route() == 1
    signal.refresh_from_db()
    assert not signal.awaiting_routing and signal.town.name == "罗溪镇"


@pytest.mark.django_db
def test_a_bundle_signed_with_another_key_is_refused_and_nothing_is_written(keyed, district, tmp_path):
    path = _bundle(tmp_path / "b.zip", rows={"intake.reports": [_report_row()]}, key=b"another-key-" * 3)
    with pytest.raises(exchange.ExchangeRefused, match="签名不符"):
        _import(path)
    assert not Signal.objects.exists() and not ExchangeBundle.objects.exists()


@pytest.mark.django_db
def test_a_member_changed_after_signing_is_refused(keyed, district, tmp_path):
    path = _bundle(tmp_path / "b.zip", rows={"intake.reports": [_report_row()]})
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "parts/intake.reports.json":
                content = content.replace(b"860000", b"1")  # the amount owed, after signing
            target.writestr(info, content)
    with pytest.raises(exchange.ExchangeRefused, match=re.escape("parts/intake.reports.json 被改动过")):
        _import(changed)
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_a_manifest_changed_after_signing_is_refused(keyed, district, tmp_path):
    path = _bundle(tmp_path / "b.zip")
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "manifest.json":
                content = content.replace(b'"sequence": 1', b'"sequence": 2')
            target.writestr(info, content)
    with pytest.raises(exchange.ExchangeRefused, match="签名不符"):
        _import(changed)


@pytest.mark.django_db
def test_a_bundle_for_the_other_direction_is_refused(keyed, district, tmp_path):
    path = _bundle(tmp_path / "b.zip", direction="status")
    with pytest.raises(exchange.ExchangeRefused, match="方向"):
        _import(path, "reports")
    assert not ExchangeBundle.objects.exists()


@pytest.mark.django_db
def test_a_broken_file_is_refused(keyed, district, tmp_path):
    path = tmp_path / "b.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(exchange.ExchangeRefused, match="不是完整的文件包"):
        _import(path)


@pytest.mark.django_db
def test_the_same_bundle_imported_again_changes_nothing_and_the_command_exits_zero(keyed, district, tmp_path):
    path = _bundle(tmp_path / "b.zip", rows={"intake.reports": [_report_row()]})
    _import(path)
    with pytest.raises(exchange.AlreadyImported):
        _import(path)
    out = io.StringIO()
    call_command("portal_exchange", "import-reports", str(path), stdout=out)
    assert "导入，本次未做任何改动" in out.getvalue()
    assert Signal.objects.count() == 1 and ExchangeBundle.objects.count() == 1


@pytest.mark.django_db
def test_another_bundle_under_a_sequence_already_imported_is_refused(keyed, district, tmp_path):
    _import(_bundle(tmp_path / "a.zip", rows={"intake.reports": [_report_row()]}))
    other = _bundle(tmp_path / "b.zip", rows={"intake.reports": [_report_row("BBBBBBBBBBBBBBBB")]})
    with pytest.raises(exchange.ExchangeRefused, match="序号 1 已在"):
        _import(other)
    assert Signal.objects.count() == 1


@pytest.mark.django_db
def test_a_gap_in_the_sequence_is_refused_unless_allowed(keyed, district, tmp_path):
    path = _bundle(tmp_path / "b.zip", sequence=3, rows={"intake.reports": [_report_row()]})
    with pytest.raises(
        CommandError, match="序号不连续：上次导入的是 0，本包是 3。请先导入缺少的包（序号 1–2）"
    ):
        call_command("portal_exchange", "import-reports", str(path))
    assert not Signal.objects.exists()
    call_command("portal_exchange", "import-reports", str(path), "--allow-gap", stdout=io.StringIO())
    assert Signal.objects.count() == 1
    record = ExchangeBundle.objects.get()
    assert record.sequence == 3 and record.command == f"portal_exchange import-reports {path} --allow-gap"


@pytest.mark.django_db
def test_an_older_status_snapshot_arriving_late_changes_nothing(keyed, district, tmp_path):
    from anxin.intake.tests.factories import portal_report

    with portal_side():
        signal = portal_report(Town.objects.get(name="罗溪镇"))
        newer = {"intake.status": [_status_row(signal, public_reply="新答复")]}
        _import(
            _bundle(tmp_path / "2.zip", direction="status", sequence=2, rows=newer), "status", allow_gap=True
        )
        older = {"intake.status": [_status_row(signal, public_reply="旧答复")]}
        path = _bundle(tmp_path / "1.zip", direction="status", sequence=1, rows=older)
        with pytest.raises(exchange.Superseded):
            _import(path, "status", allow_gap=True)
        out = io.StringIO()
        call_command("portal_exchange", "import-status", str(path), stdout=out)
    assert "早于已导入的状态包 #2" in out.getvalue() and "未做任何改动" in out.getvalue()
    signal.refresh_from_db()
    assert signal.public_reply == "新答复" and ExchangeBundle.objects.get().sequence == 2


@pytest.mark.django_db
def test_a_malformed_row_is_refused_naming_the_record_and_the_field(keyed, district, tmp_path):
    row = _report_row(received_at="昨天")
    with pytest.raises(
        exchange.ExchangeRefused,
        match="反映（查询码 ABCDEFGHJKLMNPQR） 的 received_at：应为带时区的 ISO 时间",
    ):
        _import(_bundle(tmp_path / "b.zip", rows={"intake.reports": [row]}))
    bad_town = _report_row(town="no-such-town")
    with pytest.raises(exchange.ExchangeRefused, match="town：本机没有代码为“no-such-town”"):
        _import(_bundle(tmp_path / "c.zip", rows={"intake.reports": [bad_town]}))
    wrong_key = _report_row(reporter_phone=encrypt(PHONE, context="some.other.field"))
    with pytest.raises(exchange.ExchangeRefused, match="reporter_phone：无法解密"):
        _import(_bundle(tmp_path / "d.zip", rows={"intake.reports": [wrong_key]}))
    assert not Signal.objects.exists() and not ExchangeBundle.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_row_failing_midway_leaves_nothing_written_and_no_file_behind(keyed, district, tmp_path):
    """The first report (with its photo) is written before the second is found wrong: the import's
    one transaction takes the first back, and the photo it wrote to MEDIA_ROOT goes with it."""
    media = tmp_path / "media"
    on_disk(keyed, media)
    first = _report_row(photos=[{"name": "a.png", "file": "files/intake/a.png"}])
    second = _report_row("BBBBBBBBBBBBBBBB", photos=[{"name": "b.jpg", "file": "files/intake/b.jpg"}])
    path = _bundle(
        tmp_path / "b.zip",
        rows={"intake.reports": [first, second]},
        files={"files/intake/a.png": png(), "files/intake/b.jpg": b"this is not a photo"},
    )
    with pytest.raises(CommandError, match=re.escape("查询码 BBBBBBBBBBBBBBBB） 的 photos：b.jpg")):
        call_command("portal_exchange", "import-reports", str(path))
    assert not Signal.objects.exists() and not SignalAttachment.objects.exists()
    assert not ExchangeBundle.objects.exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_each_side_runs_only_its_own_half(keyed, district, tmp_path):
    with pytest.raises(exchange.ExchangeRefused, match="在互联网区门户主机上执行"):
        exchange.bundle_export(direction="reports", out_dir=tmp_path, command="test")
    with portal_side(), pytest.raises(exchange.ExchangeRefused, match="在内网执行"):
        _import(_bundle(tmp_path / "b.zip"), "reports")
    keyed.PUBLIC_ZONE_COPIES = False
    with pytest.raises(exchange.ExchangeRefused, match="ANXIN_PUBLIC_ZONE_COPIES"):
        exchange.bundle_export(direction="status", out_dir=tmp_path, command="test")


@pytest.mark.django_db
def test_without_the_key_nothing_is_made_or_read(keyed, district, tmp_path):
    keyed.EXCHANGE_KEY = None
    with pytest.raises(CommandError, match="未设置 ANXIN_EXCHANGE_KEY"):
        call_command("portal_exchange", "export-status", "--out", str(tmp_path))


# --- exporting -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_portal_hosts_export_takes_each_report_once_with_its_photo_and_later_material(
    keyed, district, tmp_path
):
    from anxin.intake import services

    on_disk(keyed, tmp_path / "media")
    with portal_side():
        (signal,) = _submitted_on_portal(1, photo="工资条.png", amount=100)
        first = exchange.bundle_export(direction="reports", out_dir=tmp_path / "out", command="test")
        services.portal_add_material(
            signal=signal, text="补充：考勤表", photos=[("考勤.png", png())], ip="10.0.0.1"
        )
        second = exchange.bundle_export(direction="reports", out_dir=tmp_path / "out", command="test")
        third = exchange.bundle_export(direction="reports", out_dir=tmp_path / "out", command="test")
    assert first.path.name == "anxin-reports-000001.zip" and first.bundle.counts["intake.reports"] == 1
    with zipfile.ZipFile(first.path) as bundle:
        report = json.loads(bundle.read("parts/intake.reports.json"))[0]
        assert report["tracking_code"] == signal.tracking_code and len(report["photos"]) == 1
        assert PHONE not in bundle.read("parts/intake.reports.json").decode()  # the ciphertext travels
    assert second.bundle.counts == {"intake.reports": 0, "intake.actions": 1, "notify.notices": 0}
    with zipfile.ZipFile(second.path) as bundle:
        action = json.loads(bundle.read("parts/intake.actions.json"))[0]
    assert action["action"] == "material" and action["text"] == "补充：考勤表"
    assert [p["name"] for p in action["photos"]] == ["考勤.png"]
    assert sum(third.bundle.counts.values()) == 0
    # The portal host told nobody: the units are told inside, where the material is applied.
    from anxin.notify.models import PendingNotice

    assert not PendingNotice.objects.exists()


# --- the state going back to the portal host -------------------------------------------------------------


def _status_row(signal: Signal, **changes) -> dict:
    row = {
        "tracking_code": signal.tracking_code,
        "stage": "closed",
        "town": signal.town.code,
        "assigned_unit": None,
        "satisfaction": "",
        "replied_at": timezone.now().isoformat(),
        "rated_at": None,
        "followup_due_at": None,
        "public_reply": "已责令企业支付",
        "satisfaction_comment": "",
        "followup_basis": "",
        "open_case_reason": "",
        "moves": [["close", "verified", "closed", timezone.now().isoformat()]],
        "progress": {"case": None, "money": {"confirmed": 100, "paid": 100, "outstanding": 0}},
    }
    row.update(changes)
    return row


@pytest.mark.django_db
def test_the_status_snapshot_brings_the_report_to_its_state_inside_but_keeps_a_rating_not_yet_seen(
    keyed, district, tmp_path
):
    from anxin.intake import services
    from anxin.intake.tests.factories import portal_report

    town = Town.objects.get(name="罗溪镇")
    with portal_side():
        signal = portal_report(town)
        _import(
            _bundle(tmp_path / "1.zip", direction="status", rows={"intake.status": [_status_row(signal)]}),
            "status",
        )
        signal.refresh_from_db()
        assert signal.stage == Stage.CLOSED and signal.public_reply == "已责令企业支付"
        assert PublicProgress.objects.get(signal=signal).money["paid"] == 100
        services.portal_rate(signal=signal, rating="dissatisfied", comment="没拿到")
        signal.refresh_from_db()
        assert signal.stage == Stage.HANDLING
        # A snapshot made inside before the rating arrived there: the rating stays, the stage too.
        stale = _status_row(signal, public_reply="旧答复")
        _import(
            _bundle(tmp_path / "2.zip", direction="status", sequence=2, rows={"intake.status": [stale]}),
            "status",
        )
        signal.refresh_from_db()
        assert signal.stage == Stage.HANDLING and signal.satisfaction == "dissatisfied"
        assert signal.public_reply == "已责令企业支付"
        # Once the reports bundle that carried it was imported inside, the state inside wins.
        carried = exchange.bundle_export(direction="reports", out_dir=tmp_path / "out", command="test")
        reopened = _status_row(
            signal,
            stage="handling",
            satisfaction="dissatisfied",
            rated_at=timezone.now().isoformat(),
            moves=[["reopen", "closed", "handling", timezone.now().isoformat()]],
            progress=None,
        )
        rows = {"intake.status": [reopened]}
        path = _bundle(
            tmp_path / "3.zip",
            direction="status",
            sequence=3,
            rows=rows,
            acknowledges=carried.bundle.sequence,
        )
        _import(path, "status")
    signal.refresh_from_db()
    assert signal.stage == Stage.HANDLING and signal.rated_at is not None
    assert list(signal.events.exclude(action__in=["create", "rate"]).values_list("action", flat=True)) == [
        "reopen"
    ]
    assert not PublicProgress.objects.filter(signal=signal).exists()


@pytest.mark.django_db
def test_a_listing_lifted_inside_leaves_the_portal_with_the_next_status_bundle(keyed, district, tmp_path):
    from anxin.credit.models import Condition, PublicListing

    today = timezone.localdate()
    listing = {
        "listing": 4242,  # no such listing on the portal's database: the copy stands alone
        "name": "某建筑劳务有限公司",
        "uscc": "91320411MA1XXXXX0X",
        "condition": Condition.values[0],
        "persons": [["法定代表人", "张三"]],
        "decision_reference": "新人社失〔2026〕1号",
        "decided_on": today.isoformat(),
        "term_start": today.isoformat(),
        "term_end": (today + datetime.timedelta(days=365)).isoformat(),
        "refreshed_at": timezone.now().isoformat(),
    }
    with portal_side():
        _import(
            _bundle(tmp_path / "1.zip", direction="status", rows={"credit.listings": [listing]}), "status"
        )
        assert PublicListing.objects.get().name == "某建筑劳务有限公司"
        _import(_bundle(tmp_path / "2.zip", direction="status", sequence=2), "status")
    assert not PublicListing.objects.exists()


@pytest.mark.django_db
def test_the_handbook_copy_crosses_as_its_ciphertext_and_reads_the_same(keyed, district, tmp_path):
    from anxin.sites.models import PortalHandbook

    PortalHandbook.objects.create(
        id_index="a" * 64,
        name="李四",
        id_masked="3204**********1234",
        phone=PHONE,
        books=[{"p": 1}],
        refreshed_at=timezone.now(),
    )
    done = exchange.bundle_export(direction="status", out_dir=tmp_path, command="test")
    with zipfile.ZipFile(done.path) as bundle:
        part = bundle.read("parts/sites.handbooks.json").decode()
    assert "李四" in part and PHONE not in part
    PortalHandbook.objects.all().delete()
    with portal_side():
        _import(done.path, "status")
    copy = PortalHandbook.objects.get()
    assert copy.phone == PHONE and copy.books == [{"p": 1}]


@pytest.mark.django_db
def test_the_exchange_is_recorded_and_listed(keyed, district, tmp_path):
    done = exchange.bundle_export(
        direction="status", out_dir=tmp_path, command="portal_exchange export-status"
    )
    assert done.bundle.sha256 == hashlib.sha256(done.path.read_bytes()).hexdigest()
    out = io.StringIO()
    call_command("portal_exchange", "history", stdout=out)
    assert "导出" in out.getvalue() and "anxin-status-000001.zip" in out.getvalue()
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_a_portal_host_exchanging_files_will_not_start_without_the_key_or_with_another_mode():
    root = Path(__file__).resolve().parent.parent
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANXIN_")}
    base.update(DJANGO_SETTINGS_MODULE="anxin.settings_test", ANXIN_ZONE="public")

    def start(**env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.conf import settings; print(settings.PORTAL_EXCHANGE)",
            ],
            cwd=root,
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    keyless = start(ANXIN_PORTAL_EXCHANGE="files")
    assert keyless.returncode != 0 and "ANXIN_EXCHANGE_KEY is required" in keyless.stderr
    other = start(ANXIN_PORTAL_EXCHANGE="ftp")
    assert (
        other.returncode != 0 and "ANXIN_PORTAL_EXCHANGE='ftp' is not one of DATABASE, FILES" in other.stderr
    )


@pytest.mark.django_db
def test_a_published_violation_reaches_the_portals_page_and_leaves_it_when_withdrawn(
    keyed, district, tmp_path, client
):
    today = timezone.localdate()
    entry = {
        "entry": 7,
        "violation_class": "wages",
        "name": "某劳务有限公司",
        "uscc": "91320411MA1XXXXX0X",
        "address": "罗溪镇某路1号",
        "legal_rep": "赵六",
        "facts": "拖欠 12 名劳动者工资 36 万元，身份证号 320411199001011234",
        "handling": "责令限期支付",
        "published_on": today.isoformat(),
        "visible_until": (today + datetime.timedelta(days=180)).isoformat(),
        "batch": {
            "id": 3,
            "number": "GB-2026-4",
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "published_on": today.isoformat(),
        },
        "enterprise": {
            "id": 99,
            "uscc": "91320411MA1XXXXX0X",
            "name": "某劳务有限公司",
            "town": Town.objects.get(name="罗溪镇").code,
            "industry": "E",
            "ownership": "private",
        },
    }
    with portal_side():
        _import(
            _bundle(tmp_path / "1.zip", direction="status", rows={"credit.violations": [entry]}), "status"
        )
        page = client.get("/public/violations/").content.decode()
        assert "某劳务有限公司" in page and "320411199001011234" not in page
        _import(_bundle(tmp_path / "2.zip", direction="status", sequence=2), "status")
        assert "某劳务有限公司" not in client.get("/public/violations/").content.decode()


@pytest.mark.django_db
def test_a_notice_board_link_works_on_the_portal_from_the_project_the_status_bundle_brought(
    keyed, district, tmp_path
):
    from anxin.intake import services
    from anxin.intake.public import project_from_token, project_token
    from anxin.registry.models import Project, ProjectSupervisor

    board = {
        "project": 501,
        "name": "罗溪安置房二期",
        "town": Town.objects.get(name="罗溪镇").code,
        "contractor_name": "某建设集团",
        "supervisor": ProjectSupervisor.objects.order_by("pk").first().code,
        "refreshed_at": timezone.now().isoformat(),
    }
    with portal_side():
        _import(_bundle(tmp_path / "1.zip", direction="status", rows={"intake.projects": [board]}), "status")
        project = project_from_token(project_token(Project(pk=501)))
        assert project is not None and project.name == "罗溪安置房二期"
        facts = {
            "employer_name": "某建设集团",
            "summary": "欠薪",
            "reporter_phone": PHONE,
            "amount": 100,
            "workers": 1,
        }
        signal = services.portal_submit(facts=facts, town=None, photos=[], ip="10.0.0.2", project=project)
        assert signal.project_id == 501 and signal.town.name == "罗溪镇"
        done = exchange.bundle_export(direction="reports", out_dir=tmp_path / "out", command="test")
    with zipfile.ZipFile(done.path) as bundle:
        assert json.loads(bundle.read("parts/intake.reports.json"))[0]["project"] == 501


def test_on_a_portal_host_exchanging_files_the_tick_only_tidies_the_portals_own_records():
    from anxin.core.management.commands.tick import sweeps

    inside = {s.label for s in sweeps()}
    with portal_side():
        portal = {s.label for s in sweeps()}
    assert "分派互联网区受理的网上反映" in inside and "分发互联网区写下的通知" in inside
    assert portal == {
        "清理网上反映访问记录",
        "清理找回查询码验证码",
        "劳动计酬手册：清理过期验证码",
        "补发到期未发的短信",
        "清理已完成的后台任务记录",
    }


def test_the_exchange_script_imports_in_order_stops_at_a_refusal_and_still_exports(tmp_path):
    """deploy/anxin-exchange.sh with a stand-in for manage.py that refuses the third bundle."""
    calls = tmp_path / "calls"
    fake = tmp_path / "manage"
    fake.write_text(
        f'#!/bin/sh\necho "$*" >> {calls}\ncase "$*" in *000003.zip) echo 序号不连续 >&2; exit 1;; esac\n'
    )
    fake.chmod(0o755)
    inbox = tmp_path / "exchange" / "in"
    inbox.mkdir(parents=True)
    for n in (4, 2, 3, 1):
        (inbox / f"anxin-reports-{n:06d}.zip").write_bytes(b"")
    (inbox / "anxin-status-000001.zip").write_bytes(b"")  # the other direction's: not this side's
    done = subprocess.run(  # noqa: S603 (the project's own script)
        ["/bin/sh", str(Path(__file__).resolve().parent.parent / "deploy" / "anxin-exchange.sh"), "internal"],
        env={
            "PATH": os.environ["PATH"],
            "ANXIN_MANAGE": str(fake),
            "EXCHANGE_DIR": str(tmp_path / "exchange"),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    lines = calls.read_text().splitlines()
    assert [line.split()[:2] for line in lines] == [["portal_exchange", "import-reports"]] * 3 + [
        ["portal_exchange", "export-status"]
    ]
    assert [line.rsplit("/", 1)[-1] for line in lines[:3]] == [
        f"anxin-reports-00000{n}.zip" for n in (1, 2, 3)
    ]
    assert sorted(p.name for p in (tmp_path / "exchange" / "done").iterdir()) == [
        "anxin-reports-000001.zip",
        "anxin-reports-000002.zip",
    ]
    assert sorted(p.name for p in inbox.iterdir()) == [
        "anxin-reports-000003.zip",
        "anxin-reports-000004.zip",
        "anxin-status-000001.zip",
    ]


@pytest.mark.django_db
def test_an_action_on_a_report_never_imported_is_refused_unless_a_bundle_was_let_go(
    keyed, district, tmp_path
):
    rating = {
        "tracking_code": "LOSTLOSTLOSTLOST",
        "action": "rate",
        "at": timezone.now().isoformat(),
        "rating": "dissatisfied",
        "comment": "",
        "still_unpaid": False,
    }
    rows = {"intake.actions": [rating]}
    with pytest.raises(exchange.ExchangeRefused, match="内网没有该查询码的反映"):
        _import(_bundle(tmp_path / "1.zip", rows=rows))
    # Bundle 1 lost for good and let go: the rating on a report it carried cannot land, nor block.
    done = _import(_bundle(tmp_path / "2.zip", sequence=2, rows=rows), allow_gap=True)
    assert done.bundle.counts["intake.actions"] == 1 and done.bundle.applied["intake.actions"] == 0


@pytest.mark.django_db
def test_a_satisfied_rating_with_wages_still_unpaid_crosses_as_such(keyed, district, tmp_path):
    from anxin.intake import services
    from anxin.intake.tests.factories import portal_report

    with portal_side():
        signal = portal_report(Town.objects.get(name="罗溪镇"))
        rows = {"intake.status": [_status_row(signal)]}
        _import(_bundle(tmp_path / "1.zip", direction="status", rows=rows), "status")
        services.portal_rate(signal=signal, rating="satisfied", comment="态度好", still_unpaid=True)
        done = exchange.bundle_export(direction="reports", out_dir=tmp_path / "out", command="test")
    with zipfile.ZipFile(done.path) as bundle:
        (rating,) = json.loads(bundle.read("parts/intake.actions.json"))
    assert (rating["rating"], rating["comment"], rating["still_unpaid"]) == ("satisfied", "态度好", True)


@pytest.mark.django_db
def test_a_backlog_goes_in_several_bundles_each_within_the_share_and_the_command_exports_them_all(
    keyed, district, tmp_path, monkeypatch
):
    from anxin.intake.services import exchange as intake_exchange

    monkeypatch.setattr(intake_exchange, "EXPORT_MAX_FILES", 2)
    on_disk(keyed, tmp_path / "media")
    with portal_side():
        codes = [signal.tracking_code for signal in _submitted_on_portal(5)]
        call_command(
            "portal_exchange", "export-reports", "--out", str(tmp_path / "out"), stdout=io.StringIO()
        )
        assert (
            sum(
                exchange.bundle_export(
                    direction="reports", out_dir=tmp_path / "x", command="t"
                ).bundle.counts.values()
            )
            == 0
        )
    sent = []
    for path in sorted((tmp_path / "out").glob("*.zip")):
        with zipfile.ZipFile(path) as bundle:
            reports = json.loads(bundle.read("parts/intake.reports.json"))
            assert len([n for n in bundle.namelist() if n.startswith("files/")]) <= 2
        sent.append([r["tracking_code"] for r in reports])
    assert sent == [codes[0:2], codes[2:4], codes[4:5]]


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_commit_fails_leaves_no_bundle_file_and_the_next_takes_the_same_number(
    keyed, district, tmp_path, monkeypatch
):
    """The bundle is named after its transaction committed: a commit that fails (simulated by a
    failure in the transaction's last step, the on-commit hooks being too late) leaves out/ empty."""
    from django.db import connection

    named_inside = []
    real_replace = os.replace

    def replace(source, target):
        named_inside.append(connection.in_atomic_block)
        return real_replace(source, target)

    monkeypatch.setattr(exchange.os, "replace", replace)
    out = tmp_path / "out"
    with portal_side():
        done = exchange.bundle_export(direction="reports", out_dir=out, command="test")
        assert named_inside == [False]

        real_create = ExchangeBundle.objects.create

        def create_then_fail(**kwargs):
            real_create(**kwargs)
            raise RuntimeError("commit failed")

        monkeypatch.setattr(ExchangeBundle.objects, "create", create_then_fail)
        with pytest.raises(RuntimeError):
            exchange.bundle_export(direction="reports", out_dir=out, command="test")
        monkeypatch.undo()
        assert sorted(p.name for p in out.iterdir()) == [done.path.name]
        again = exchange.bundle_export(direction="reports", out_dir=out, command="test")
    assert again.path.name == "anxin-reports-000002.zip"


def _run_script(tmp_path: Path, side: str, fake_body: str) -> subprocess.CompletedProcess:
    calls = tmp_path / "calls"
    fake = tmp_path / "manage"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n{fake_body}\n')
    fake.chmod(0o755)
    return subprocess.run(  # noqa: S603 (the project's own script)
        ["/bin/sh", str(Path(__file__).resolve().parent.parent / "deploy" / "anxin-exchange.sh"), side],
        env={
            "PATH": os.environ["PATH"],
            "ANXIN_MANAGE": str(fake),
            "EXCHANGE_DIR": str(tmp_path / "exchange"),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_portal_hosts_script_keeps_each_reports_bundle_in_sent_until_the_inside_acknowledges_it(tmp_path):
    sent = tmp_path / "exchange" / "sent"
    sent.mkdir(parents=True)
    for n in (1, 2, 3, 10):
        (sent / f"anxin-reports-{n:06d}.zip").write_bytes(b"")
    done = _run_script(tmp_path, "portal", 'case "$*" in "portal_exchange acknowledged") echo 2;; esac')
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert f"portal_exchange export-reports --out {tmp_path}/exchange/out --keep {sent}" in calls
    assert sorted(p.name for p in sent.iterdir()) == ["anxin-reports-000003.zip", "anxin-reports-000010.zip"]


@pytest.mark.django_db
def test_an_export_with_keep_leaves_the_same_bundle_in_both_directories_and_the_acknowledgement_is_read_back(
    keyed, district, tmp_path
):
    with portal_side():
        call_command(
            "portal_exchange",
            "export-reports",
            "--out",
            str(tmp_path / "out"),
            "--keep",
            str(tmp_path / "sent"),
            stdout=io.StringIO(),
        )
        name = "anxin-reports-000001.zip"
        assert (tmp_path / "sent" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()
        assert [p.name for p in (tmp_path / "sent").iterdir()] == [name]
        out = io.StringIO()
        call_command("portal_exchange", "acknowledged", stdout=out)
        assert out.getvalue().strip() == "0"
        _import(_bundle(tmp_path / "s.zip", direction="status", acknowledges=1), "status")
        out = io.StringIO()
        call_command("portal_exchange", "acknowledged", stdout=out)
    assert out.getvalue().strip() == "1"


@pytest.mark.django_db
def test_during_a_key_change_a_bundle_signed_with_the_previous_key_is_still_imported(
    keyed, district, tmp_path
):
    old = b"the-previous-exchange-key-012345"
    path = _bundle(tmp_path / "b.zip", rows={"intake.reports": [_report_row()]}, key=old)
    with pytest.raises(exchange.ExchangeRefused, match="签名不符"):
        _import(path)
    keyed.EXCHANGE_KEY_PREVIOUS = old
    _import(path)
    assert Signal.objects.count() == 1


@pytest.mark.django_db
def test_a_lost_status_bundle_does_not_stop_the_status_the_next_is_imported_with_a_recorded_warning(
    keyed, district, tmp_path
):
    from anxin.intake.tests.factories import portal_report

    with portal_side():
        signal = portal_report(Town.objects.get(name="罗溪镇"))
        _import(_bundle(tmp_path / "1.zip", direction="status"), "status")
        rows = {"intake.status": [_status_row(signal, public_reply="新答复")]}
        path = _bundle(tmp_path / "3.zip", direction="status", sequence=3, rows=rows)
        out, err = io.StringIO(), io.StringIO()
        call_command("portal_exchange", "import-status", str(path), stdout=out, stderr=err)
    signal.refresh_from_db()
    assert signal.public_reply == "新答复"
    assert "序号不连续：上次导入的是 1，本包是 3" in err.getvalue()
    assert "状态包是整份快照" in ExchangeBundle.objects.get(sequence=3).warning
    # Reports bundles still refuse a gap (a lost one holds reports nothing else carries).
    with pytest.raises(exchange.ExchangeRefused, match="序号不连续"):
        _import(_bundle(tmp_path / "r.zip", sequence=2))


def _rewritten(
    path: Path, target: Path, *, drop: str = "", add: dict | None = None, change: dict | None = None
):
    """A copy of the bundle at ``path`` with a member dropped, added or its content replaced."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            if info.filename != drop:
                out.writestr(info, (change or {}).get(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            out.writestr(name, content)
    return target


@pytest.mark.django_db
def test_a_garbage_signature_is_refused_not_a_crash(keyed, district, tmp_path):
    path = _bundle(tmp_path / "b.zip", rows={"intake.reports": [_report_row()]})
    bad = _rewritten(path, tmp_path / "bad.zip", change={"manifest.sig": "签名\xff".encode() + b"\xfe\x00"})
    with pytest.raises(exchange.ExchangeRefused, match="签名不符"):
        _import(bad)
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_an_extra_or_missing_member_is_refused(keyed, district, tmp_path):
    path = _bundle(tmp_path / "b.zip", rows={"intake.reports": [_report_row()]})
    extra = _rewritten(path, tmp_path / "extra.zip", add={"files/intake/x.png": png()})
    with pytest.raises(exchange.ExchangeRefused, match=re.escape("成员与清单不符（files/intake/x.png）")):
        _import(extra)
    missing = _rewritten(path, tmp_path / "missing.zip", drop="parts/intake.reports.json")
    with pytest.raises(
        exchange.ExchangeRefused, match=re.escape("成员与清单不符（parts/intake.reports.json）")
    ):
        _import(missing)
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_an_oversized_member_or_file_is_refused_before_it_is_read(keyed, district, tmp_path, monkeypatch):
    path = _bundle(tmp_path / "b.zip", rows={"intake.reports": [_report_row()]})
    monkeypatch.setattr(exchange, "MAX_MEMBER_BYTES", 100)
    with pytest.raises(exchange.ExchangeRefused, match="解压后过大"):
        _import(path)
    monkeypatch.undo()
    monkeypatch.setattr(exchange, "MAX_TOTAL_BYTES", path.stat().st_size - 1)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before its size was checked"))
    with pytest.raises(exchange.ExchangeRefused, match="文件包过大"):
        _import(path)


@pytest.mark.django_db
def test_a_corrupt_member_failing_its_crc_is_refused_not_a_crash(keyed, district, tmp_path):
    path = _bundle(tmp_path / "b.zip", rows={"intake.reports": [_report_row()]})  # stored, not deflated
    raw = path.read_bytes()
    assert raw.count(b"860000") == 1
    path.write_bytes(raw.replace(b"860000", b"860001"))
    with pytest.raises(exchange.ExchangeRefused, match="已损坏"):
        _import(path)
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_a_corrupt_deflated_member_is_refused_not_a_crash(keyed, district, tmp_path):
    path = tmp_path / "b.zip"
    with (
        zipfile.ZipFile(_bundle(tmp_path / "s.zip")) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            out.writestr(info.filename, source.read(info) + b" " * 4000)
    raw = bytearray(path.read_bytes())
    start = raw.index(b"manifest.json") + len(b"manifest.json")
    raw[start + 10 : start + 30] = b"\xff" * 20  # inside the manifest's deflated data
    path.write_bytes(bytes(raw))
    with pytest.raises(exchange.ExchangeRefused):
        _import(path)


def _rating(code: str, at: datetime.datetime) -> dict:
    return {
        "tracking_code": code,
        "action": "rate",
        "at": at.isoformat(),
        "rating": "satisfied",
        "comment": "",
        "still_unpaid": False,
    }


@pytest.mark.django_db
def test_the_portal_may_act_only_on_reports_that_came_through_the_exchange(keyed, district, tmp_path):
    from anxin.intake.tests.factories import portal_report

    inside = portal_report(Town.objects.get(name="罗溪镇"))  # the internal zone's own portal page
    Signal.objects.filter(pk=inside.pk).update(stage=Stage.CLOSED)
    rows = {"intake.actions": [_rating(inside.tracking_code, timezone.now())]}
    with pytest.raises(exchange.ExchangeRefused, match="不是经文件摆渡从门户进来的"):
        _import(_bundle(tmp_path / "1.zip", rows=rows))
    inside.refresh_from_db()
    assert inside.rated_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("days", [-400, 400])
def test_a_ratings_time_is_clamped_between_the_reports_arrival_and_the_bundles_making(
    keyed, district, tmp_path, days
):
    _import(_bundle(tmp_path / "1.zip", rows={"intake.reports": [_report_row()]}))
    signal = Signal.objects.get()
    Signal.objects.filter(pk=signal.pk).update(stage=Stage.CLOSED)
    at = timezone.now() + datetime.timedelta(days=days)
    done = _import(
        _bundle(tmp_path / "2.zip", sequence=2, rows={"intake.actions": [_rating(signal.tracking_code, at)]})
    )
    signal.refresh_from_db()
    assert signal.rated_at == (signal.received_at if days < 0 else done.bundle.created_at)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["https://evil.example/login", "//evil.example/x", "javascript:alert(1)", "/\\evil"]
)
def test_a_held_notices_link_must_be_a_path_on_this_site(keyed, district, tmp_path, url):
    from anxin.org.models import Unit

    notice = {
        "units": [Unit.objects.first().code],
        "subject": "s",
        "body": "",
        "url": url,
        "topic": "",
        "sms": False,
        "about": "",
        "created_at": timezone.now().isoformat(),
    }
    with pytest.raises(exchange.ExchangeRefused, match="url：应为本站的相对路径"):
        _import(_bundle(tmp_path / "1.zip", rows={"notify.notices": [notice]}))


@pytest.mark.django_db
def test_a_held_notice_from_the_portal_sends_no_text_message_whatever_its_flag(keyed, district, tmp_path):
    from anxin.notify.models import PendingNotice
    from anxin.org.models import Unit

    notice = {
        "units": [Unit.objects.first().code],
        "subject": "s",
        "body": "",
        "url": "/signals/1/",
        "topic": "",
        "sms": True,
        "about": "",
        "created_at": timezone.now().isoformat(),
    }
    _import(_bundle(tmp_path / "1.zip", rows={"notify.notices": [notice]}))
    held = PendingNotice.objects.get()
    assert held.url == "/signals/1/" and held.sms is False


def test_the_script_deletes_imported_bundles_from_done_after_the_days_set(tmp_path):
    import time

    done_dir = tmp_path / "exchange" / "done"
    done_dir.mkdir(parents=True)
    old, recent = done_dir / "anxin-reports-000001.zip", done_dir / "anxin-reports-000002.zip"
    for path, days in ((old, 31), (recent, 29)):
        path.write_bytes(b"")
        then = time.time() - days * 86400
        os.utime(path, (then, then))
    (tmp_path / "exchange" / "in").mkdir()
    (tmp_path / "exchange" / "in" / "anxin-reports-000003.zip").write_bytes(b"")
    done = _run_script(tmp_path, "internal", "")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in done_dir.iterdir()) == [
        "anxin-reports-000002.zip",
        "anxin-reports-000003.zip",
    ]


@pytest.mark.django_db
def test_a_held_notice_to_users_stops_the_export_and_no_notice_is_deleted(keyed, district, tmp_path):
    from anxin.notify.models import PendingNotice
    from anxin.org.models import Unit

    PendingNotice.objects.create(unit_ids=[Unit.objects.first().pk], subject="给单位")
    PendingNotice.objects.create(user_ids=[1], subject="给某个账户")
    with portal_side(), pytest.raises(exchange.ExchangeRefused, match="发给具体账户的待分发通知"):
        exchange.bundle_export(direction="reports", out_dir=tmp_path / "out", command="test")
    assert PendingNotice.objects.count() == 2 and not ExchangeBundle.objects.exists()
    assert not list((tmp_path / "out").iterdir())


@pytest.mark.django_db
def test_a_rating_given_while_a_status_bundle_is_imported_is_not_wiped(
    keyed, district, tmp_path, monkeypatch
):
    """A worker rates 满意 (the stage stays 已办结) after the import read the report and before it
    wrote it: the import's update finds the report changed and leaves it for the next bundle."""
    from anxin.intake import services
    from anxin.intake.services import exchange as intake_exchange
    from anxin.intake.tests.factories import portal_report

    with portal_side():
        signal = portal_report(Town.objects.get(name="罗溪镇"))
        _import(
            _bundle(tmp_path / "1.zip", direction="status", rows={"intake.status": [_status_row(signal)]}),
            "status",
        )
        real_state = intake_exchange._state

        def state_then_a_rating(row, **kwargs):
            if not Signal.objects.get(pk=signal.pk).rated_at:
                services.portal_rate(signal=signal, rating="satisfied", comment="好")
            return real_state(row, **kwargs)

        monkeypatch.setattr(intake_exchange, "_state", state_then_a_rating)
        rows = {"intake.status": [_status_row(signal, public_reply="新答复")]}
        _import(_bundle(tmp_path / "2.zip", direction="status", sequence=2, rows=rows), "status")
    signal.refresh_from_db()
    assert signal.satisfaction == "satisfied" and signal.rated_at is not None


def test_the_script_skips_its_round_while_another_round_holds_the_lock(tmp_path):
    import fcntl

    (tmp_path / "exchange").mkdir()
    (tmp_path / "exchange" / "in").mkdir()
    (tmp_path / "exchange" / "in" / "anxin-reports-000001.zip").write_bytes(b"")
    with (tmp_path / "exchange" / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = _run_script(tmp_path, "internal", "")
    assert done.returncode == 0 and "另一轮摆渡仍在运行" in done.stdout
    assert not (tmp_path / "calls").exists()


@pytest.mark.django_db
def test_in_a_backlog_an_action_waits_for_the_bundle_that_carries_its_report(
    keyed, district, tmp_path, monkeypatch
):
    from anxin.intake import services
    from anxin.intake.services import exchange as intake_exchange

    monkeypatch.setattr(intake_exchange, "EXPORT_MAX_FILES", 1)
    on_disk(keyed, tmp_path / "media")
    with portal_side():
        first, second = _submitted_on_portal(2)
        services.portal_add_material(signal=second, text="补充", photos=[], ip="10.0.0.2")
        call_command(
            "portal_exchange", "export-reports", "--out", str(tmp_path / "out"), stdout=io.StringIO()
        )
    carried = []
    for path in sorted((tmp_path / "out").glob("*.zip")):
        with zipfile.ZipFile(path) as bundle:
            carried.append(
                (
                    [r["tracking_code"] for r in json.loads(bundle.read("parts/intake.reports.json"))],
                    [a["tracking_code"] for a in json.loads(bundle.read("parts/intake.actions.json"))],
                )
            )
    assert carried == [([first.tracking_code], []), ([second.tracking_code], [second.tracking_code])]


@pytest.mark.django_db
def test_the_parameters_and_calendar_the_office_changes_inside_reach_the_portal_host(
    keyed, district, tmp_path
):
    """A value the office adds inside (a new limit from a date) and a holiday swap cross with the
    status bundle, so the portal host's limits and deadlines follow the office, not the district
    file's defaults it loaded itself."""
    from anxin.core.models import CalendarDay, PolicyParameter
    from anxin.core.policy import param

    code = "portal.submissions_per_hour"
    before = PolicyParameter.objects.filter(code=code).count()
    today = timezone.localdate()
    PolicyParameter.objects.create(
        code=code,
        name="每小时提交上限",
        value="7",
        value_type="int",
        unit="次",
        effective_from=today,
        citation="测试",
    )
    saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
    CalendarDay.objects.update_or_create(
        date=saturday, defaults={"is_workday": True, "name": "调休上班", "source": "office"}
    )
    done = exchange.bundle_export(direction="status", out_dir=tmp_path, command="test")
    # The portal host as it was: the district file's values only, the Saturday a rest day.
    PolicyParameter.objects.filter(code=code, effective_from=today).delete()
    CalendarDay.objects.filter(date=saturday).update(is_workday=False, name="")
    assert param(code) != 7
    with portal_side():
        _import(done.path, "status")
    assert param(code) == 7
    assert PolicyParameter.objects.filter(code=code).count() == before + 1
    assert CalendarDay.objects.get(date=saturday).is_workday
    # The next bundle, nothing changed inside: no row is rewritten, so the audit log stays quiet.
    from auditlog.models import LogEntry

    logged = LogEntry.objects.count()
    again = exchange.bundle_export(direction="status", out_dir=tmp_path / "2", command="test")
    with portal_side():
        _import(again.path, "status")
    assert LogEntry.objects.count() == logged


@pytest.mark.django_db
def test_a_parameter_with_a_value_not_of_its_type_is_refused_and_nothing_changes(keyed, district, tmp_path):
    from anxin.core.models import PolicyParameter

    count = PolicyParameter.objects.count()
    row = {
        "code": "portal.submissions_per_hour",
        "name": "每小时提交上限",
        "value": "七",
        "value_type": "int",
        "unit": "次",
        "effective_from": timezone.localdate().isoformat(),
        "citation": "测试",
        "note": "",
        "to_confirm": False,
    }
    with (
        portal_side(),
        pytest.raises(exchange.ExchangeRefused, match=r"政策参数 portal\.submissions_per_hour.*value"),
    ):
        _import(_bundle(tmp_path / "1.zip", direction="status", rows={"core.parameters": [row]}), "status")
    assert PolicyParameter.objects.count() == count
