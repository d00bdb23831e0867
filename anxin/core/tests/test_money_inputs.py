"""Every money input of the product takes yuan, with 元 beside the box (issue #14, item 2).

Walks every form class in the project (every module under ``anxin``, tests aside): a field whose
name or label says money (amount, fen, fee, yuan, money; 金额, 元) must be ``core.money``'s
``YuanFormField``, whose box shows 元 — so a new money field typed in 分, or as a plain number,
cannot slip in. Hand-written ``<input>``s for amounts in templates are refused the same way."""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms

import anxin
from anxin.core.forms import ParameterValueForm
from anxin.core.money import YuanFormField, YuanInput

SKIP = re.compile(r"^anxin\.(settings.*|wsgi|asgi)$|\.(tests|migrations)(\.|$)")
MONEY_NAME = re.compile(r"(^|_)(amount|amounts|fen|fee|fees|yuan|money)(_|$)")
MONEY_LABEL = re.compile(r"金额|（元|元）|元，|\(元|元\)")


def _modules():
    for info in pkgutil.walk_packages(anxin.__path__, "anxin."):
        if not SKIP.search(info.name):
            importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_forms() -> list[type[forms.BaseForm]]:
    _modules()
    found = {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith("anxin.")}
    return sorted((c for c in found if not SKIP.search(c.__module__)), key=lambda c: c.__qualname__)


def _fields(form_class):
    """The declared fields, and those a form adds when built (with no arguments, where it can be)."""
    fields = dict(form_class.base_fields)
    # A form that needs arguments to be built is checked on its declared fields.
    with contextlib.suppress(Exception):
        fields |= form_class().fields
    return fields


def _says_money(name: str, field: forms.Field) -> bool:
    return bool(MONEY_NAME.search(name) or MONEY_LABEL.search(str(field.label or "")))


def money_fields():
    return [
        (f"{form.__module__}.{form.__qualname__}.{name}", field)
        for form in project_forms()
        for name, field in _fields(form).items()
        if _says_money(name, field)
    ]


@pytest.mark.django_db
def test_the_walk_finds_the_money_fields_of_every_app():
    names = {name.rsplit(".", 3)[0].split(".")[1] for name, _field in money_fields()}
    assert {"cases", "intake", "registry"} <= names
    assert len(money_fields()) >= 8


@pytest.mark.django_db
def test_every_money_field_in_every_form_is_a_yuan_field_with_yuan_beside_the_box():
    wrong = [
        name
        for name, field in money_fields()
        if not isinstance(field, YuanFormField)
        or not (isinstance(field.widget, YuanInput | forms.HiddenInput))
    ]
    assert wrong == [], f"money typed without 元 (use core.money.YuanFormField): {wrong}"


@pytest.mark.django_db
def test_a_money_field_renders_the_yuan_unit_beside_its_box():
    for name, field in money_fields():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        html = field.widget.render(name.rsplit(".", 1)[-1], None, attrs={"id": "x"})
        assert '<span class="input-group-text">元</span>' in html, name


def test_a_money_parameter_is_a_yuan_field_and_the_others_are_not():
    assert isinstance(ParameterValueForm(value_type="money").fields["value"], YuanFormField)
    assert not isinstance(ParameterValueForm(value_type="int").fields["value"], YuanFormField)


def test_the_check_would_catch_a_money_field_typed_as_a_plain_number():
    class Slipped(forms.Form):
        deposit_amount = forms.IntegerField(label="保证金金额（分）")

    assert _says_money("deposit_amount", Slipped.base_fields["deposit_amount"])
    assert not isinstance(Slipped.base_fields["deposit_amount"], YuanFormField)


TEMPLATE_INPUT = re.compile(r"<input[^>]*\bname=\"[^\"]*(amount|fen|yuan|money|fee)[^\"]*\"", re.IGNORECASE)


def test_no_template_writes_its_own_money_input():
    root = Path(anxin.__file__).parent
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if "tests" not in path.parts and TEMPLATE_INPUT.search(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"hand-written money inputs (render a YuanFormField instead): {found}"
