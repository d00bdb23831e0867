"""The report form opened from a site's notice board (维权信息告示牌): the link carries the project,
signed (``?p=``), so the form shows the site and its town fixed and the report is a signal on that
project in its town; an altered or unknown token is ignored and the form is the usual one."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from captcha.models import CaptchaStore

from anxin.intake.models import Signal
from anxin.intake.public import project_from_token, project_report_link, project_token

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def _url(token: str) -> str:
    return "/public/report/?p=" + quote(token, safe="")


def _captcha(client, url: str) -> dict:
    html = client.get(url).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def _report(client, url: str, **changes):
    data = {
        "employer_name": "某某劳务队",
        "employer_uscc": "",
        "work_address": "",
        "contractor_name": "",
        "period": "2026年9月至10月",
        "months_owed": 2,
        "amount": "8600",
        "workers": 3,
        "summary": "干完活包工头不给钱",
        "reporter_name": "王五",
        "reporter_phone": PHONE,
        "reporter_id_number": "",
        "consent": "on",
        **_captcha(client, url),
        **changes,
    }
    return client.post(url, data)


def test_the_link_is_the_portal_address_with_a_signed_project(world):
    link = project_report_link(world.luoxi_project)
    assert link.startswith("http://127.0.0.1:8000/public/report/?p=")
    assert project_from_token(project_token(world.luoxi_project)) == world.luoxi_project


def test_an_altered_token_names_no_project(world):
    token = project_token(world.luoxi_project)
    other = str(world.menghe_river.pk) + token[token.index(":") :]
    assert project_from_token(other) is None
    assert (
        project_from_token("garbage") is None
        and project_from_token("") is None
        and project_from_token(None) is None
    )


def test_the_form_shows_the_project_and_its_town_fixed(client, world):
    html = client.get(_url(project_token(world.menghe_river))).content.decode()
    assert 'data-testid="portal-project"' in html and "孟河河道整治项目" in html and "孟河镇" in html
    assert 'name="town"' not in html and 'name="project_name"' not in html
    assert world.menghe_water.name in html  # the general contractor offered as 总包单位


def test_a_report_from_the_link_is_a_signal_on_the_project_in_its_town(client, world):
    url = _url(project_token(world.menghe_river))
    response = _report(client, url, town=world.luoxi_factory.town.pk)  # a town typed in by hand is ignored
    assert response.status_code == 302, response.context["form"].errors
    signal = Signal.objects.get()
    assert signal.project == world.menghe_river and signal.town == world.menghe_river.town
    assert signal.project_name == "孟河河道整治项目"
    assert signal.assigned_unit.code == "agriculture-water"  # the project's line (水利)


def test_an_invalid_token_is_ignored_and_the_form_is_the_usual_one(client, world):
    url = _url("12:forged")
    html = client.get(url).content.decode()
    assert 'data-testid="portal-project"' not in html and 'name="town"' in html
    response = _report(client, url, town="unknown", project_name="")
    assert response.status_code == 302
    assert Signal.objects.get().project is None
