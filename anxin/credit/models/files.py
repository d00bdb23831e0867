"""Papers kept with credit records: a signed credit pledge (信用承诺书), a written defence (陈述申辩),
a proof of service (送达回证), an objection's evidence. Checked by content, named by token."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.models import StoredFile


def credit_file_path(instance: CreditFile, filename: str) -> str:
    return f"credit/{timezone.now():%Y/%m}/{instance.token}{instance.extension}"


class CreditFile(StoredFile):
    """A paper behind a credit record (see the module)."""

    class Kind(models.TextChoices):
        PLEDGE = "pledge", _("信用承诺书")
        DEFENCE = "defence", _("陈述申辩材料")
        SERVICE = "service", _("送达回证")
        EVIDENCE = "evidence", _("证明材料")

    kind = models.CharField(_("材料类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=credit_file_path, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = _("信用材料")
        verbose_name_plural = _("信用材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.token[:8]}"
