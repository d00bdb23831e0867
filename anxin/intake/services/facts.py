"""What a signal must say, and by when it must be verified: the facts' checks and normalisation
(shared by the form, the API, the import and the portal), the uploads' checks, and the
verification deadline (``signal.verify_working_days``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.deadlines import due_after
from anxin.core.errors import DomainError
from anxin.core.policy import param
from anxin.core.uploads import DOCUMENTS, PHOTOS, sniff
from anxin.core.validators import validate_id_number, validate_phone, validate_uscc
from anxin.intake.models import SignalKind

CLOCK_SKEW = datetime.timedelta(minutes=5)
PORTAL_PHOTOS = PHOTOS  # JPEG, PNG and iPhones' HEIC/HEIF
MAX_AMOUNT_FEN = 10**13  # 一千亿元: beyond any plausible wage claim; guards typos
FACT_FIELDS = (
    "kind",
    "occurred_at",
    "received_at",
    "workers",
    "amount",
    "months_owed",
    "period",
    "summary",
    "employer_name",
    "employer_uscc",
    "project_name",
    "work_address",
    "contractor_name",
    "reporter_name",
    "reporter_phone",
    "reporter_id_number",
)


def names_a_site(facts: dict) -> bool:
    """Whether a signal speaks of a construction site or project (the worker named one, or the
    kind is a 工程款结算 dispute): the construction line answers for it (§三(九))."""
    return (
        bool((facts.get("project_name") or "").strip()) or facts.get("kind") == SignalKind.PROJECT_SETTLEMENT
    )


def verification_due(received_at: datetime.datetime) -> tuple[datetime.datetime, str]:
    """The end of the last working day allowed for verification, and the words saying why."""
    return due_after("signal.verify_working_days", received_at, since=True)


class _DueCache:
    def __init__(self):
        self.cache: dict[datetime.date, tuple[datetime.datetime, str]] = {}

    def __call__(self, received_at):
        day = timezone.localtime(received_at).date()
        if day not in self.cache:
            self.cache[day] = verification_due(received_at)
        return self.cache[day]


def clean_facts(facts: dict, *, now=None, allow_report_kind: bool = False) -> dict[str, str]:
    """Normalise ``facts`` in place; return {field: Chinese message} for every problem."""
    now = now or timezone.now()
    problems: dict[str, str] = {}
    kind = facts.get("kind")
    if kind not in SignalKind.values or (kind == SignalKind.ARREARS_REPORT and not allow_report_kind):
        problems["kind"] = _("未知的线索类型“%(v)s”") % {"v": kind or ""}
    received = facts.get("received_at")
    if not isinstance(received, datetime.datetime):
        problems["received_at"] = _("请填写接收时间")
    elif received > now + CLOCK_SKEW:
        problems["received_at"] = _("接收时间不能晚于当前时间")
    occurred = facts.get("occurred_at")
    if occurred is not None:
        if occurred > now + CLOCK_SKEW:
            problems["occurred_at"] = _("发生时间不能晚于当前时间")
        elif isinstance(received, datetime.datetime) and occurred > received + CLOCK_SKEW:
            problems["occurred_at"] = _("发生时间不能晚于接收时间")
    # Optional facts are checked and normalised only when given: a re-send that leaves one out
    # leaves the stored value as it is.
    for key, top, label in (("workers", 100000, _("涉及人数")), ("months_owed", 240, _("拖欠月数"))):
        if key not in facts:
            continue
        value = facts[key] or 0
        if not isinstance(value, int) or value < 0 or value > top:
            problems[key] = _("%(l)s须为 0 至 %(t)d 之间的整数") % {"l": label, "t": top}
        facts[key] = value
    if "amount" in facts:
        amount = facts["amount"] or 0
        if not isinstance(amount, int) or amount < 0:
            problems["amount"] = _("金额不能为负数")
        elif amount > MAX_AMOUNT_FEN:
            problems["amount"] = _("金额超出合理范围，请核对")
        facts["amount"] = amount
    summary = (facts.get("summary") or "").strip()
    if not summary:
        problems["summary"] = _("请填写情况摘要")
    elif len(summary) > 4000:
        problems["summary"] = _("情况摘要不超过 4000 字")
    facts["summary"] = summary
    for key, size in (
        ("employer_name", 100),
        ("project_name", 150),
        ("work_address", 200),
        ("contractor_name", 100),
        ("reporter_name", 50),
        ("period", 60),
    ):
        if key not in facts:
            continue
        facts[key] = (facts[key] or "").strip()
        if len(facts[key]) > size:
            problems[key] = _("不超过 %(n)d 字") % {"n": size}
    for key, check in (
        ("employer_uscc", validate_uscc),
        ("reporter_phone", validate_phone),
        ("reporter_id_number", validate_id_number),
    ):
        if key not in facts:
            continue
        value = (facts[key] or "").strip()
        if value:
            try:
                value = check(value)
            except ValidationError as exc:
                problems[key] = "；".join(exc.messages)
        facts[key] = value
    if not facts.get("enterprise") and not facts.get("employer_name") and not facts.get("employer_uscc"):
        problems["employer_name"] = _("请填写企业名称或统一社会信用代码")
    return problems


def files_problem(
    files: list[tuple[str, bytes]], *, allowed=DOCUMENTS, field: str = "attachments", most: int | None = None
) -> str | None:
    """The first problem with uploaded ``files`` (count, type by content, size), or None."""
    if most is not None and len(files) > most:
        return _("照片最多 %(n)d 张") % {"n": most}
    for name, content in files:
        try:
            sniff(content, allowed=allowed, field=field, name=name)
        except DomainError as exc:
            return exc.message
    return None


def portal_problems(*, facts: dict, photos: list[tuple[str, bytes]]) -> dict[str, str]:
    """Every problem in a worker's report, by field, without writing: the portal shows them all
    on one submit (``portal_submit`` checks the same again)."""
    problems = clean_facts({**facts, "kind": SignalKind.WAGE_COMPLAINT, "received_at": timezone.now()})
    if not (facts.get("reporter_phone") or "").strip():
        problems.setdefault("reporter_phone", _("请填写手机号，用于查询办理进度"))
    photo_problem = files_problem(
        photos, allowed=PORTAL_PHOTOS, field="photos", most=int(param("portal.max_photos"))
    )
    if photo_problem:
        problems["photos"] = photo_problem
    return problems
