"""Papers kept with the conference's records: a meeting's papers (会议材料), the evidence a unit gives
with a decision's progress or completion (佐证材料). Checked by content, named by token."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.models import StoredFile


def conference_file_path(instance: ConferenceFile, filename: str) -> str:
    return f"conference/{timezone.now():%Y/%m}/{instance.token}{instance.extension}"


class ConferenceFile(StoredFile):
    """A paper behind a meeting or a decision (see the module)."""

    class Kind(models.TextChoices):
        PAPER = "paper", _("会议材料")
        EVIDENCE = "evidence", _("佐证材料")

    kind = models.CharField(_("材料类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("材料名称"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to=conference_file_path, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = _("会议材料")
        verbose_name_plural = _("会议材料")

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.token[:8]}"
