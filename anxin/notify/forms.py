"""The outbox's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.core.forms import FilterForm
from anxin.notify.models import SmsStatus, topic_label
from anxin.notify.selectors import sms_topics


class SmsFilter(FilterForm):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *SmsStatus.choices]
    )
    topic = forms.ChoiceField(label=_("类别"), required=False)
    date_from = forms.DateField(label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["topic"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("全部类别")), *((t, topic_label(t)) for t in sms_topics())]
