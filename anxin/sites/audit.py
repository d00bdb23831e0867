"""Field-level history of the sites' records (django-auditlog)."""

from auditlog.registry import auditlog

from anxin.sites.models import RosterEntry, SiteContact, SpecialAccount

auditlog.register(RosterEntry, exclude_fields=["id_number", "id_number_index", "phone", "phone_index"])
auditlog.register(SpecialAccount, exclude_fields=["account"])
auditlog.register(SiteContact)  # handbook: the notice board's contacts
