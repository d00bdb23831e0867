"""Papers kept with the assessment: evidence for a hand score or an objection, photos and papers of a
spot check, rectification evidence, a referral's pack. Checked by content, named by token."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.models import StoredFile


def assessment_file_path(instance: AssessmentFile, filename: str) -> str:
    return f"assessment/{timezone.now():%Y/%m}/{instance.token}{instance.extension}"


class AssessmentFile(StoredFile):
    """A paper or photo kept with an assessment record (see the module)."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("佐证材料")
        PHOTO = "photo", _("现场照片")
        DOCUMENT = "document", _("检查材料")
        PACK = "pack", _("移交证据材料")

    kind = models.CharField(_("材料类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=assessment_file_path, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = _("考核材料")
        verbose_name_plural = _("考核材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.token[:8]}"
