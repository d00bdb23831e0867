"""Field-level history of credit's records (django-auditlog). Event tables (``ListingEvent``,
``ObjectionEvent``, ``PublicationEvent``) and the grade changes are append-only histories themselves."""

from auditlog.registry import auditlog

from anxin.credit.models import (
    Defence,
    EnterpriseGrade,
    GradeYear,
    ListedPerson,
    Listing,
    Objection,
    PublicationBatch,
    PublicationEntry,
    RemovalApplication,
    SanctionMeasure,
    SanctionTask,
)

auditlog.register(Listing)
auditlog.register(ListedPerson, exclude_fields=["id_number", "id_number_index"])
auditlog.register(Defence)
auditlog.register(RemovalApplication)
auditlog.register(Objection)
auditlog.register(SanctionMeasure)
auditlog.register(SanctionTask)
auditlog.register(PublicationBatch)
auditlog.register(PublicationEntry)
auditlog.register(GradeYear)
auditlog.register(EnterpriseGrade, exclude_fields=["evidence"])
