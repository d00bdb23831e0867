"""Forms of money's panels on the legal action's page."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.core.errors import DomainError
from anxin.core.money import parse_yuan


class PaidForm(Styled, forms.Form):
    """An instalment paid: the date and a note."""

    paid_on = forms.DateField(label=_("实付日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


def parse_schedule(text: str) -> list[tuple[datetime.date, int]]:
    """ "2026-12-10 30000" per line → (date, fen); a bad line is named."""
    rows = []
    for n, line in enumerate((x.strip() for x in text.splitlines()), start=1):
        if not line:
            continue
        found = re.match(r"^(\S+)[\s，、]+(\S+)$", line)  # the amount keeps its thousands commas
        try:
            if found is None:
                raise ValueError(line)
            day = datetime.date.fromisoformat(found.group(1))
            amount = parse_yuan(found.group(2), allow_zero=False)
        except (ValueError, ValidationError):
            raise DomainError(f"第 {n} 行格式不正确：请写“日期 金额（元）”，如 2026-12-10 30000") from None
        rows.append((day, amount))
    return rows
