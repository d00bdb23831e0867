"""Sites' part of the file exchange across the zone boundary (anxin/core/exchange.py): the 计酬手册
copies the internal zone's tick keeps for the internet zone (``PortalHandbook``) go to a portal host
on its own database with every status bundle, whole (a worker taken off every roster is gone from the
next bundle, so from the portal). The phone goes as its ciphertext, the ID number only as its blind
index and masked form, as the copy stores them."""

from __future__ import annotations

import datetime
import re

from anxin.core import seam
from anxin.core.exchange import LoadContext, RowError, as_stored, iso, items, moment, stored_text, text
from anxin.sites.models import PortalHandbook

INDEX = re.compile(r"^[0-9a-f]{64}$")


def handbooks_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    rows = [
        {
            "id_index": index,
            "name": name,
            "id_masked": masked,
            "phone": phone or "",
            "books": books,
            "refreshed_at": iso(at),
        }
        for index, name, masked, phone, books, at in PortalHandbook.objects.annotate(
            stored=stored_text("phone")
        )
        .order_by("id_index")
        .values_list("id_index", "name", "id_masked", "stored", "books", "refreshed_at")
        .iterator(chunk_size=2000)
    ]
    return seam.ExportedPart(rows)


def handbooks_load(rows: list[dict], *, context: LoadContext) -> int:
    """Replace the portal's copies with the bundle's (the lookup names a copy by the ID number's
    blind index, never by its row id)."""
    copies = []
    for index, row in enumerate(rows):
        key = text(row, "id_index", record=f"第 {index + 1} 份计酬手册")
        record = f"计酬手册（索引 {key[:8]}…）"
        if not INDEX.match(key):
            raise RowError(record, "id_index", "应为 64 位十六进制盲索引")
        books = items(row, "books", record=record)
        if not all(isinstance(b, dict) for b in books):
            raise RowError(record, "books", "应为对象的列表")
        phone = text(row, "phone", record=record)
        copies.append(
            PortalHandbook(
                id_index=key,
                name=text(row, "name", record=record, blank=False, most=50),
                id_masked=text(row, "id_masked", record=record, most=30),
                phone=as_stored(phone) if phone else "",
                books=books,
                refreshed_at=moment(row, "refreshed_at", record=record),
            )
        )
    PortalHandbook.objects.all().delete()
    PortalHandbook.objects.bulk_create(copies, batch_size=1000)
    return len(copies)


PARTS = (seam.ExchangePart("sites.handbooks", "status", handbooks_export, handbooks_load),)
