"""Scoring screens (§五(三) 细化考核标准): the scheme list, a scheme's page, the scheme editor (a draft's
figures and indicators; activate; new version), the scoreboard (units × indicators with a chart and
the Excel 台账; 重新计算), a unit's score page with every point explained, the office's hand score,
``my-score``. Views validate, call a service, render; the rules are the services'."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.assessment import access, measures
from anxin.assessment import scoring_selectors as selectors
from anxin.assessment.models import (
    AssessmentFile,
    HandScore,
    Indicator,
    IndicatorKind,
    SchemeStatus,
    Score,
    ScoreItem,
    ScoreStatus,
    UnitGroup,
    VetoProposal,
    VetoStatus,
)
from anxin.assessment.scoring_forms import (
    BoardFilter,
    HandScoreForm,
    IndicatorFormSet,
    SchemeCreateForm,
    SchemeFilter,
    SchemeForm,
    indicator_initial,
)
from anxin.assessment.services import hand_scores, schemes, scoring
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.core.paging import paginate
from anxin.core.xlsx import Col, xlsx_response
from anxin.org.models import Unit

VIEW_SCHEME = "assessment.view_scheme"
VIEW_SCORE = "assessment.view_score"
EXPORT = "assessment.export_assessment"
RECORDS_SHOWN = 50
EVENT_LABELS = {"draft": "建立草稿", "edit": "修改草稿", "activate": "启用", "supersede": "被新版本替代"}
STATUS_LABELS = dict(SchemeStatus.choices)


def _office(request: HttpRequest) -> None:
    if not access.may_manage(request.user):
        raise PermissionDenied(schemes.OFFICE_ONLY)


def _actor(request: HttpRequest) -> Any:
    """The signed-in user (the views are behind ``login_required``)."""
    return request.user


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


# --- schemes ---------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW_SCHEME, raise_exception=True)
def scheme_list(request: HttpRequest) -> HttpResponse:
    """考核方案: every year's schemes (year, group, version, status); the office creates a year's."""
    form = SchemeFilter(request.GET, user=request.user)
    found = form.filters()
    rows = selectors.scheme_list(
        year=found.get("year"), group=found.get("group", ""), status=found.get("status", "")
    )
    create = SchemeCreateForm(initial={"year": selectors.current_year() + 1, "group": UnitGroup.TOWN})
    return render(
        request,
        "assessment/scoring_scheme_list.html",
        {
            "form": form,
            **paginate(request, rows),
            "create": create,
            "may_manage": access.may_manage(request.user),
        },
    )


@login_required
@permission_required(VIEW_SCHEME, raise_exception=True)
@require_POST
def scheme_create(request: HttpRequest) -> HttpResponse:
    _office(request)
    form = SchemeCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
        return redirect("assessment-scheme-list")
    v = form.cleaned_data
    try:
        scheme = schemes.scheme_create(
            actor=_actor(request), year=v["year"], group=v["group"], source=v["source"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("assessment-scheme-list")
    messages.success(request, f"已建立{scheme}草稿，请修改后启用。")
    return redirect("assessment-scheme-edit", scheme.pk)


def _indicator_rows(scheme: Any) -> list[dict]:
    rows = []
    for indicator in scheme.indicators.all():
        measure = measures.MEASURES.get(indicator.measure) if indicator.measure else None
        rows.append(
            {
                "indicator": indicator,
                "measure": measure,
                "unknown": bool(indicator.measure) and measure is None,
                "settings": _settings_words(indicator.settings or {}),
            }
        )
    return rows


def _settings_words(found: dict) -> str:
    words = []
    if "full_at" in found:
        words.append(f"达到 {Decimal(str(found['full_at'])) * 100:.0f}% 得满分")
    if "zero_at" in found:
        words.append(f"{Decimal(str(found['zero_at'])) * 100:.0f}% 及以下不得分")
    if "target" in found:
        words.append(f"目标 {found['target']}")
    words += [f"{k}={v}" for k, v in found.items() if k not in schemes.SETTING_KEYS]
    return "；".join(words)


@login_required
@permission_required(VIEW_SCHEME, raise_exception=True)
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A scheme: its indicators (points, kind, measure, formula settings, criteria), caps, bands,
    history; the office's actions by status."""
    scheme = selectors.scheme_get(pk)
    indicators = list(scheme.indicators.all())
    state = selectors.year_state(scheme.year)
    may = access.may_manage(request.user) and (state is None or state.status == "open")
    return render(
        request,
        "assessment/scoring_scheme_detail.html",
        {
            "scheme": scheme,
            "rows": _indicator_rows(scheme),
            "full_marks": schemes.full_marks(indicators),
            "events": [
                {
                    "at": e.at,
                    "actor": e.actor,
                    "label": EVENT_LABELS.get(e.action, e.action),
                    "move": f"{STATUS_LABELS.get(e.from_status, '—')} → {STATUS_LABELS.get(e.to_status, '')}"
                    if e.from_status and e.to_status and e.from_status != e.to_status
                    else "",
                    "note": e.note,
                }
                for e in scheme.events.select_related("actor").all()
            ],
            "may_edit": may and scheme.status == SchemeStatus.DRAFT,
            "may_new_version": may and scheme.status == SchemeStatus.ACTIVE,
            "frozen": state is not None and state.status != "open",
        },
    )


def _editor(
    request: HttpRequest, scheme: Any, form: SchemeForm, formset: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "assessment/scoring_scheme_edit.html",
        {"scheme": scheme, "form": form, "formset": formset, "measure_options": measures.choices()},
        status=status,
    )


@login_required
@permission_required(VIEW_SCHEME, raise_exception=True)
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor of a draft: the scheme's figures and its indicators (add, edit, remove)."""
    _office(request)
    scheme = selectors.scheme_get(pk)
    if scheme.status != SchemeStatus.DRAFT:
        messages.error(request, f"{scheme}{scheme.get_status_display()}，不能修改；请另存新版本。")
        return redirect("assessment-scheme", scheme.pk)
    if request.method != "POST":
        form = SchemeForm(
            initial={
                "title": scheme.title,
                "deduction_cap": scheme.deduction_cap,
                "bonus_cap": scheme.bonus_cap,
                "grade_bands": schemes.bands_text(scheme.grade_bands),
                "note": scheme.note,
            }
        )
        return _editor(
            request, scheme, form, IndicatorFormSet(initial=indicator_initial(scheme), prefix="ind")
        )
    form = SchemeForm(request.POST)
    formset = IndicatorFormSet(request.POST, prefix="ind")
    if not form.is_valid() or not formset.is_valid():
        return _editor(request, scheme, form, formset, status=400)
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    v = form.cleaned_data
    try:
        bands = schemes.parse_bands(v["grade_bands"])
        schemes.scheme_update(
            actor=_actor(request),
            scheme=scheme,
            title=v["title"],
            deduction_cap=v["deduction_cap"],
            bonus_cap=v["bonus_cap"],
            grade_bands=bands,
            note=v["note"],
            indicators=[
                {
                    k: r.get(k)
                    for k in (
                        "code",
                        "name",
                        "kind",
                        "measure",
                        "points",
                        "cap",
                        "settings",
                        "criteria",
                        "citation",
                    )
                }
                for r in rows
            ],
        )
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        else:
            formset._non_form_errors = formset.error_class([exc.message])  # type: ignore[attr-defined]
        return _editor(request, scheme, form, formset, status=400)
    messages.success(request, "草稿已保存。")
    return redirect("assessment-scheme", scheme.pk)


@login_required
@permission_required(VIEW_SCHEME, raise_exception=True)
@require_POST
def scheme_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    """启用 (activate) a draft, or 另存新版本 of the scheme in use."""
    _office(request)
    scheme = selectors.scheme_get(pk)
    try:
        if do == "activate":
            schemes.scheme_activate(actor=_actor(request), scheme=scheme)
            messages.success(request, f"已启用{scheme}，本类单位的预评得分已按新方案重新计算。")
            return redirect("assessment-scheme", scheme.pk)
        if do == "new-version":
            draft = schemes.scheme_new_version(actor=_actor(request), scheme=scheme)
            messages.success(request, f"已另存为{draft}（草稿），修改后启用即替代使用中的版本。")
            return redirect("assessment-scheme-edit", draft.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("assessment-scheme", scheme.pk)
    raise Http404


# --- the scoreboard --------------------------------------------------------------------------------


def _board_request(request: HttpRequest) -> tuple[BoardFilter, int, str, dict]:
    form = BoardFilter(request.GET, user=request.user)
    found = form.filters()
    year = found.get("year") or selectors.current_year()
    group = found.get("group") or UnitGroup.TOWN
    return form, year, group, found


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@login_required
@permission_required(VIEW_SCORE, raise_exception=True)
def score_board(request: HttpRequest) -> HttpResponse:
    """考核得分排行 (``?year=&group=&q=&grade=``): units × indicators, total, grade, rank; a bar chart
    of the totals; the Excel 台账. The office, the leaders and the auditors; a unit is sent to its own
    score."""
    if not access.sees_all(request.user):
        return redirect("assessment-my-score")
    form, year, group, found = _board_request(request)
    board = selectors.scoreboard(
        user=request.user, year=year, group=group, q=found.get("q", ""), grade=found.get("grade", "")
    )
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm(EXPORT):
            messages.error(request, "您的角色不能导出该台账。")
            return redirect(f"{reverse('assessment-score-board')}?year={year}&group={group}")
        columns = [Col("排名", 6, "int"), Col("单位", 20)]
        columns += [Col(f"{i.name}（{i.points.normalize():f}分）", 10, "int") for i in board.indicators]
        columns += [
            Col("基本分", 9, "int"),
            Col("扣分", 8, "int"),
            Col("加分", 8, "int"),
            Col("总分", 9, "int"),
            Col("按分数等次", 10),
            Col("等次", 8),
            Col("一票否决", 8),
            Col("状态", 8),
            Col("数据截至", 11, "date"),
        ]
        rows: list[list[Any]] = [
            [
                r.rank,
                r.score.unit.name,
                *[_num(c) for c in r.cells],
                _num(r.score.base),
                _num(r.score.deductions),
                _num(r.score.bonus),
                _num(r.score.total),
                r.score.grade_by_points,
                r.score.grade,
                "是" if r.score.vetoed else "",
                r.score.get_status_display(),
                r.score.data_through,
            ]
            for r in board.rows
        ]
        return xlsx_response(
            request,
            filename=f"考核得分-{year}-{UnitGroup(group).label}",
            title=f"{year}年度{UnitGroup(group).label}考核得分（§五(三)）",
            columns=columns,
            rows=rows,
            filters=form.describe() or f"考核年度={year}；考核对象={UnitGroup(group).label}",
        )
    chart = json.dumps(
        {
            "type": "bar",
            "labels": [r.score.unit.name for r in board.rows],
            "values": [float(r.score.total) for r in board.rows],
        },
        ensure_ascii=False,
    )
    state = selectors.year_state(year)
    grades = [b["grade"] for b in (board.scheme.grade_bands if board.scheme else [])]
    return render(
        request,
        "assessment/scoring_board.html",
        {
            "form": form,
            "board": board,
            "year": year,
            "group": group,
            "groups": UnitGroup.choices,
            "years": selectors.years(),
            "grades": grades,
            "chart": chart,
            "state": state,
            "may_recompute": access.may_manage(request.user) and (state is None or state.status == "open"),
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
@permission_required(VIEW_SCORE, raise_exception=True)
@require_POST
def score_recompute(request: HttpRequest) -> HttpResponse:
    """重新计算: the office recomputes a year's provisional scores of a group now."""
    _office(request)
    year = _int(request.POST.get("year"), selectors.current_year())
    group = request.POST.get("group") or UnitGroup.TOWN
    if group not in UnitGroup.values:
        raise Http404
    try:
        state = selectors.year_state(year)
        if state is not None and state.status != "open":
            raise DomainError(f"{year} 年度已进入终评或已锁定，预评得分不再重新计算。")
        done = scoring.score_year(year=year, group=group)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重新计算 {len(done)} 个单位的预评得分。")
    return redirect(f"{reverse('assessment-score-board')}?year={year}&group={group}")


# --- a score ---------------------------------------------------------------------------------------


def amount_text(item: ScoreItem, amount: int | None) -> str:
    """A line's numerator or denominator for people: a count as it is; fen of a money measure as
    yuan (``core.money.format_yuan``) with the unit."""
    if amount is None:
        return "0"
    if measures.is_money(item.indicator.measure):
        return f"{format_yuan(int(amount))} 元"
    return str(amount)


def _line(entry: dict) -> dict:
    item = entry["item"]
    share = item.denominator is not None
    records = item.records or []
    missed = sum(1 for r in records if r.get("met") is False)
    params = [{"code": code, **value} for code, value in (item.params or {}).items()]
    return {
        **entry,
        "share": share,
        "numerator_text": amount_text(item, item.numerator),
        "denominator_text": amount_text(item, item.denominator),
        "percent": (item.value * 100).quantize(Decimal("0.1")) if share and item.value is not None else None,
        "records": records[:RECORDS_SHOWN],
        "more": max(0, len(records) - RECORDS_SHOWN),
        "missed": missed,
        "params": params,
        "settings": _settings_words(item.indicator.settings or {}),
        "hand_ok": item.indicator.kind != IndicatorKind.COMPUTED,
    }


@login_required
@permission_required(VIEW_SCORE, raise_exception=True)
def score_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's score: every line with its value, points, formula, parameters and records; deductions
    and bonuses with the caps; grade; a confirmed veto. A unit sees its own only (404 otherwise)."""
    score = selectors.score_get(user=request.user, pk=pk)
    groups = selectors.score_lines(score)
    lines = {k: [_line(e) for e in v] for k, v in groups.items()}
    raw_deductions = sum((e["item"].points for e in groups["deduction"]), Decimal(0))
    raw_bonus = sum((e["item"].points for e in groups["bonus"]), Decimal(0))
    vetoes = (
        list(VetoProposal.objects.filter(year=score.year, unit_id=score.unit_id, status=VetoStatus.CONFIRMED))
        if score.vetoed
        else []
    )
    state = selectors.year_state(score.year)
    return render(
        request,
        "assessment/scoring_score.html",
        {
            "score": score,
            "lines": lines,
            "raw_deductions": raw_deductions,
            "raw_bonus": raw_bonus,
            "full_marks": schemes.full_marks(list(score.scheme.indicators.all())),
            "vetoes": vetoes,
            "state": state,
            "may_hand": access.may_manage(request.user)
            and score.status == ScoreStatus.PROVISIONAL
            and score.scheme.status == SchemeStatus.ACTIVE
            and (state is None or state.status == "open"),
            "sees_all": access.sees_all(request.user),
            # during the objection period the unit's own users may object to a line (the final part's form)
            "may_object": state is not None
            and state.status == "objection"
            and state.objection_until is not None
            and timezone.localdate() <= state.objection_until
            and access.may_act_for(request.user, score.unit_id)
            and request.user.has_perm("assessment.file_objection"),
        },
    )


@login_required
@permission_required(VIEW_SCORE, raise_exception=True)
def my_score(request: HttpRequest) -> HttpResponse:
    """本单位考核得分: a unit user's current-year score; the office and leaders go to the scoreboard."""
    score = selectors.own_score(request.user)
    if score is not None:
        return redirect("assessment-score", score.pk)
    if access.sees_all(request.user):
        return redirect("assessment-score-board")
    return render(request, "assessment/scoring_none.html", {"year": selectors.current_year()})


@login_required
@permission_required(VIEW_SCORE, raise_exception=True)
def hand_score(request: HttpRequest, indicator: int, unit: int) -> HttpResponse:
    """The office's hand score of one indicator for one unit (points, note, evidence)."""
    _office(request)
    item = get_object_or_404(Indicator.objects.select_related("scheme"), pk=indicator)
    target = get_object_or_404(Unit, pk=unit)
    existing = HandScore.objects.filter(indicator=item, unit=target).prefetch_related("files").first()
    form = HandScoreForm(
        request.POST or None,
        request.FILES or None,
        initial={"points": existing.points, "note": existing.note} if existing else None,
    )
    score = Score.objects.filter(year=item.scheme.year, unit=target).first()
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            hand_scores.hand_score_set(
                actor=_actor(request),
                indicator=item,
                unit=target,
                points=v["points"],
                note=v["note"],
                evidence=[hand_scores.Paper(name=f.name, content=f.read()) for f in v.get("evidence") or []],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已评分：{target.name}“{item.name}”{v['points']} 分，得分已重新计算。")
            score = Score.objects.filter(year=item.scheme.year, unit=target).first()
            return redirect("assessment-score", score.pk) if score else redirect("assessment-score-board")
    return render(
        request,
        "assessment/scoring_hand.html",
        {
            "indicator": item,
            "unit": target,
            "form": form,
            "existing": existing,
            "limit": hand_scores.limit_of(item),
            "score": score,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required(VIEW_SCORE, raise_exception=True)
def score_file(request: HttpRequest, pk: int, file: int) -> FileResponse:
    """An evidence file of a hand score behind the score, to whoever sees the score."""
    score = selectors.score_get(user=request.user, pk=pk)
    paper = AssessmentFile.objects.filter(
        pk=file,
        pk__in=HandScore.objects.filter(unit_id=score.unit_id, indicator__scheme_id=score.scheme_id).values(
            "files"
        ),
    ).first()
    if paper is None:
        raise Http404
    response = FileResponse(paper.file.open("rb"), content_type=paper.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=False, filename=f"佐证材料-{score.unit.name}{paper.extension}"
        )
        or ""
    )
    return response


# --- the seam: menu, home panel --------------------------------------------------------------------


def menu(user: Any) -> list[seam.MenuItem]:
    items: list[seam.MenuItem] = []
    if user.has_perm(VIEW_SCORE):
        if access.sees_all(user):
            items.append(
                {
                    "label": "考核得分排行",
                    "url_name": "assessment-score-board",
                    "icon": "chart-bar",
                    "order": 10,
                    "group": "assessment",
                }
            )
        elif access.group_of(getattr(user, "unit", None)):
            items.append(
                {
                    "label": "本单位考核得分",
                    "url_name": "assessment-my-score",
                    "icon": "award",
                    "order": 10,
                    "group": "assessment",
                }
            )
    if user.has_perm(VIEW_SCHEME):
        items.append(
            {
                "label": "考核方案",
                "url_name": "assessment-scheme-list",
                "icon": "list-check",
                "order": 11,
                "group": "assessment",
            }
        )
    return items


def home_panels(request: HttpRequest) -> list[seam.Panel]:
    """A town's or a department's provisional score this year: total, grade, the three lines losing
    most points, with a link."""
    user: Any = request.user
    if not user.is_authenticated or not user.has_perm(VIEW_SCORE) or access.sees_all(user):
        return []
    score = selectors.own_score(user)
    if score is None:
        return []
    return [
        {
            "template": "assessment/_scoring_home.html",
            "order": 35,
            "score": score,
            "losing": selectors.losing_most(score),
        }  # type: ignore[typeddict-unknown-key]
    ]
