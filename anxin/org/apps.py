from collections.abc import Callable
from typing import Any

from django.apps import AppConfig

from anxin.core import seam


class OrgConfig(AppConfig):
    """The district's organisation: towns, member units, duties, users and roles (§二, §三)."""

    name = "anxin.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from anxin.org import (
            audit,  # noqa: F401  (auditlog registration)
            demo,
            signals,  # noqa: F401  (tokens revoked on lockout)
        )

        seam.register(seam.DISTRICT_SECTIONS, self.load_district, app=self.label)
        seam.register(seam.CLAUSE_ITEMS, self.clause_items, app=self.label)
        seam.register(
            seam.DEMO_DATA,
            seam.DemoData(load=demo.load, missing=demo.missing, real_data=demo.real_data, logins=demo.logins),
            app=self.label,
        )

    def load_district(self, data: dict, *, actor: Any, log: Callable[[str], None]) -> None:
        from anxin.org import services

        services.district_load_org(data=data, actor=actor, log=log)

    def clause_items(self) -> list[tuple[str, dict]]:
        """Each duty under its clause, for the clause map page."""
        from anxin.org.models import Duty

        return [
            (duty.citation, {"kind": duty.unit.short_name or duty.unit.name, "text": duty.name})
            for duty in Duty.objects.select_related("unit").exclude(code__contains="territorial-handling-")
        ] + [("§三(十五)", {"kind": "镇/街道", "text": "属地企业欠薪问题全面负责、先行处置"})]
