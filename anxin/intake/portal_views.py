"""The public worker portal (群众网上反映): no login, phone-first.

A worker files a report, receives a tracking code, and follows it with code + phone. Only the
public reply and the stage are shown — never internal notes, never another person's report.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.policy import param
from anxin.core.security import client_ip
from anxin.intake import portal, services
from anxin.intake.forms import PortalReportForm, RateForm, TrackForm
from anxin.intake.models import Signal, SignalEvent, Stage
from anxin.intake.portal import portal_scope
from anxin.intake.portal_forms import MaterialForm, RecoverForm, RecoverVerifyForm
from anxin.intake.public import (
    handling_unit,
    office_phone,
    project_from_token,
    public_progress,
    unit_public_phone,
)
from anxin.org.models import Unit, UnitKind

SESSION_KEY = "portal_signals"  # {id: time proved} for the reports the visitor has proved (code + phone)
PROOF_SECONDS = 30 * 60  # a shared phone or a kiosk: the next person must prove it again
STEPS = [
    (Stage.RECEIVED, "已受理登记"),
    (Stage.VERIFYING, "核实中"),
    (Stage.VERIFIED, "已核实"),
    (Stage.HANDLING, "处理中"),
    (Stage.CLOSED, "已办结"),
]


def _proofs(request) -> dict[str, float]:
    now = time.time()
    proofs = request.session.get(SESSION_KEY)
    if not isinstance(proofs, dict):
        return {}
    return {k: t for k, t in proofs.items() if isinstance(t, int | float) and now - t < PROOF_SECONDS}


def _remember(request, signal: Signal) -> None:
    proofs = _proofs(request)
    proofs[str(signal.pk)] = time.time()
    request.session[SESSION_KEY] = dict(sorted(proofs.items(), key=lambda kv: kv[1])[-20:])


def _form_error(form, exc) -> None:
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)


@never_cache
def portal_home(request):
    """The portal's home: report, track, and the later apps' public pages (``seam.PORTAL_LINKS``)."""
    links = [link for link in seam.collect(seam.PORTAL_LINKS) if link.get("url_name")]
    return render(request, "intake/public/home.html", {"page_title": "欠薪网上反映", "links": links})


@never_cache
def portal_report(request):
    """The report form. A solved captcha admits one submission; when that submission is refused
    for its other fields, the visitor gets a one-time pass (``portal.captcha_pass_issue``) so the
    corrected resubmit need not solve another — used up like the captcha itself."""
    bound = request.method == "POST" and bool(request.POST or request.FILES)
    passed: bool | None = None
    if bound:
        passed = portal.captcha_pass_use(request.session)
    elif portal.captcha_pass_held(request.session):
        passed = True
    # From a site's notice board (QR code): the project is chosen; a bad token is ignored.
    project = project_from_token(request.GET.get("p"))
    form = PortalReportForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        captcha_passed=passed,
        project=project,
    )
    valid = bound and form.is_valid()
    if bound and ("captcha" not in form.fields or "captcha" in form.cleaned_data) and not valid:
        # Solved (or passed) but refused for other fields: the corrected resubmit passes once.
        portal.captcha_pass_issue(request.session)
        form.fields.pop("captcha", None)
    if valid:
        data = dict(form.cleaned_data)
        for key in ("consent", "captcha"):
            data.pop(key, None)
        photos = data.pop("photos")
        # town None: 不清楚 (the office's triage); from a notice board, the project's town
        town = project.town if project is not None else data.pop("town")
        try:
            signal = services.portal_submit(
                facts=data,
                town=town,
                photos=[(p.name, p.read()) for p in photos],
                ip=client_ip(request),
                project=project,
            )
        except (ValidationError, DomainError) as exc:
            _form_error(form, exc)
            portal.captcha_pass_issue(request.session)
            form.fields.pop("captcha", None)
        else:
            _remember(request, signal)
            request.session["portal_new_code"] = signal.tracking_code
            return redirect("portal-done")
    return render(
        request,
        "intake/public/report.html",
        {"page_title": "我要反映欠薪", "form": form, "project": project},
    )


def _handlers(signal: Signal) -> list[dict]:
    """Who will handle a new report, as the worker is told on the confirmation page: the town
    (属地) and the line department, or the office's triage when neither is known; each with the
    public phone of the district file, or the office's (said so) where a unit has none."""
    office = Unit.objects.filter(kind=UnitKind.OFFICE).order_by("pk").first()

    def entry(role: str, name: str, phone: str) -> dict:
        if phone or office is None:
            return {"role": role, "name": name, "phone": phone, "phone_of": ""}
        # The same fallback as the status page and the SMS (intake.public.office_phone).
        return {
            "role": role,
            "name": name,
            "phone": office_phone(),
            "phone_of": office.short_name or office.name,
        }

    handlers = []
    if signal.town_id:
        handlers.append(entry("属地", signal.town.name, signal.town.public_phone))
    unit = signal.assigned_unit
    if unit is not None:
        triage = office is not None and unit.pk == office.pk
        handlers.append(entry("分拣转办" if triage else "条线主管", unit.name, unit.public_phone))
    return handlers


@never_cache
def portal_done(request):
    code = request.session.get("portal_new_code")
    if not code:
        return redirect("portal-track")
    signal = _proved(request, code)
    return render(
        request,
        "intake/public/done.html",
        {
            "page_title": "提交成功",
            "verify_days": param("signal.verify_working_days"),
            "code": code,
            "code_display": " ".join(code[i : i + 4] for i in range(0, len(code), 4)),
            "signal": signal,
            "handlers": _handlers(signal) if signal else [],
        },
    )


@never_cache
def portal_track(request):
    code = services.normalize_tracking_code(request.GET.get("code", ""))[: services.CODE_LENGTH]
    form = TrackForm(request.POST or None, initial={"code": code} if code else None)
    if request.method == "POST" and form.is_valid():
        try:
            signal = services.portal_lookup(
                code=form.cleaned_data["code"], phone=form.cleaned_data["phone"], ip=client_ip(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if signal is None:
                form.add_error(None, "查询码或手机号不正确，请核对后重试。")
            else:
                _remember(request, signal)
                return redirect("portal-status", code=signal.tracking_code)
    return render(request, "intake/public/track.html", {"page_title": "查询办理进度", "form": form})


def _proved(request, code: str) -> Signal | None:
    code = services.normalize_tracking_code(code)
    portal_scope(code)  # the portal's database role reads a report only by its code
    signal = Signal.objects.filter(tracking_code=code).first()
    if signal is None or str(signal.pk) not in _proofs(request):
        return None
    return signal


def portal_leave(request):
    """“退出查询”: forget every report proved in this browser."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop("portal_new_code", None)
    messages.info(request, "已退出查询。")
    return redirect("portal-home")


def _progress(signal: Signal) -> dict:
    """What the worker reads beyond their report: the linked case's stage and measures in plain
    words (cases says them through the seam, or the internet zone's record of it; never internal
    notes), the worker's own claim, and who handles it with the number to call."""
    case, own_money = public_progress(signal)
    if case is not None and case.unit_name:
        unit_name, phone = case.unit_name, case.unit_phone
    else:
        unit = handling_unit(signal)
        unit_name, phone = (unit.name if unit else "区联席办"), unit_public_phone(unit)
    return {"case": case, "own_money": own_money, "unit_name": unit_name, "unit_phone": phone}


@never_cache
def portal_status(request, code: str, *, material_form=None):
    signal = _proved(request, code)
    if signal is None:
        messages.info(request, "请输入查询码和手机号查看办理进度。")
        return redirect(reverse("portal-track") + "?code=" + services.normalize_tracking_code(code)[:16])
    request.session.pop("portal_new_code", None)
    moves = {
        e.to_stage: e.at
        for e in signal.events.filter(to_stage__in=Stage.values).exclude(to_stage="").order_by("at")
        if e.action != SignalEvent.Action.NOTE
    }
    current = [s for s, _label in STEPS].index(signal.stage)
    progress = _progress(signal)
    handling = [s for s, _label in STEPS].index(Stage.HANDLING)
    if progress["case"] is not None and progress["case"].is_open and current < handling:
        current = (
            handling  # a case is under way: the worker's matter is being handled, whatever the signal says
        )
    steps = [
        {
            "label": label
            + ("（已立案）" if stage == Stage.HANDLING and progress["case"] is not None else ""),
            "done": i <= current,
            "current": i == current,
            "at": moves.get(stage) if i else signal.received_at,
        }
        for i, (stage, label) in enumerate(STEPS)
    ]
    # Only this report's own reply: a merged primary's reply was written to someone else.
    reply, replied_at = signal.public_reply, signal.replied_at
    open_ = signal.stage != Stage.CLOSED
    added = signal.events.filter(action=SignalEvent.Action.MATERIAL).order_by("at")
    return render(
        request,
        "intake/public/status.html",
        {
            "page_title": "办理进度",
            "signal": signal,
            "steps": steps,
            "reply": reply,
            "replied_at": replied_at,
            "rate_form": RateForm() if signal.stage == Stage.CLOSED and not signal.rated_at else None,
            "material_form": (material_form or MaterialForm()) if open_ else None,
            "added": added,
            "max_photos": param("portal.max_photos"),
            **progress,
        },
        status=400 if material_form is not None else 200,
    )


@require_POST
def portal_add(request, code: str):
    """The worker adds a note and photos to their open report (plain form: works without JS)."""
    signal = _proved(request, code)
    if signal is None:
        return redirect("portal-track")
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.portal_add_material(
                signal=signal,
                text=form.cleaned_data["text"],
                photos=[(p.name, p.read()) for p in form.cleaned_data["photos"]],
                ip=client_ip(request),
            )
        except (ValidationError, DomainError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "补充材料已提交，办理单位会看到。")
            return redirect("portal-status", code=signal.tracking_code)
    return portal_status(request, signal.tracking_code, material_form=form)


@require_POST
def portal_rate(request, code: str):
    signal = _proved(request, code)
    if signal is None:
        return redirect("portal-track")
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            rated = services.portal_rate(signal=signal, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if rated.stage == Stage.CLOSED:
                messages.success(request, "感谢您的评价。")
            else:
                messages.warning(
                    request,
                    f"已收到您的评价，您的反映已重新交办理单位处理，"
                    f"须于 {timezone.localtime(rated.followup_due_at):%Y年%m月%d日} 前重新处理并答复您。",
                )
    else:
        messages.error(request, "请选择满意度。")
    return redirect("portal-status", code=signal.tracking_code)


RECOVER_PHONE = "portal_recover_phone"


@never_cache
def portal_recover(request):
    """Lost tracking code, step 1: the phone number (and a captcha); an SMS code is sent if reports
    were filed with it. The page says the same either way."""
    form = RecoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_recover_request(phone=form.cleaned_data["phone"], ip=client_ip(request))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            request.session[RECOVER_PHONE] = form.cleaned_data["phone"]
            return redirect("portal-recover-verify")
    return render(request, "intake/public/recover.html", {"page_title": "找回查询码", "form": form})


@never_cache
def portal_recover_verify(request):
    """Lost tracking code, step 2: the SMS code; the reports filed with the phone are listed and
    proved in this browser."""
    phone = request.session.get(RECOVER_PHONE)
    if not phone:
        return redirect("portal-recover")
    form = RecoverVerifyForm(request.POST or None)
    found: list[Signal] = []
    if request.method == "POST" and form.is_valid():
        try:
            found = services.portal_recover_verify(
                phone=phone, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if not found:
                form.add_error("code", "验证码不正确或已过期，请核对短信或重新获取。")
            else:
                request.session.pop(RECOVER_PHONE, None)
                for signal in found:
                    _remember(request, signal)
    return render(
        request,
        "intake/public/recover_verify.html",
        {
            "page_title": "找回查询码",
            "form": form,
            "found": found,
            "minutes": param("portal.recovery_code_minutes"),
            "phone_masked": phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "",
        },
    )
