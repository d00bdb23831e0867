"""Papers kept with reports: a publicity activity's photos and materials. Checked by content, named by
token."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.models import StoredFile


def reports_file_path(instance: ReportsFile, filename: str) -> str:
    return f"reports/{timezone.now():%Y/%m}/{instance.token}{instance.extension}"


class ReportsFile(StoredFile):
    """A photo or paper behind a publicity activity or a report."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("活动照片")
        MATERIAL = "material", _("宣传材料")
        ATTACHMENT = "attachment", _("报告附件")

    kind = models.CharField(_("材料类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=reports_file_path, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = _("报告材料")
        verbose_name_plural = _("报告材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.token[:8]}"
