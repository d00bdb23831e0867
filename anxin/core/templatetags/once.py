"""``{% csrf_token %}`` with the form's one-time token (anxin.core.once).

Installed as a template builtin (settings TEMPLATES OPTIONS ``builtins``), so this ``csrf_token``
replaces Django's in every template without a ``{% load %}``: every form that carries the CSRF
input carries ``anxin_once`` too, and ``OnceMiddleware`` lets each token through once. Where no
CSRF token is available (a template rendered without a request) it renders nothing, as Django's
does.
"""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from anxin.core.once import FIELD, form_token

register = template.Library()


class OnceCsrfTokenNode(CsrfTokenNode):
    def render(self, context: Context) -> SafeString:
        csrf = super().render(context)
        if not csrf:
            return mark_safe("")
        return format_html('{}<input type="hidden" name="{}" value="{}">', csrf, FIELD, form_token())


@register.tag
def csrf_token(parser: Parser, token: Token) -> OnceCsrfTokenNode:
    return OnceCsrfTokenNode()


@register.simple_tag
def once_input() -> SafeString:
    """The one-time token alone, for a form that posts without ``{% csrf_token %}``."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, form_token())
