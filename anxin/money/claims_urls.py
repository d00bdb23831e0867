"""URLs of claims and payments: the case's 资金 tab's forms, the two ledgers, the receipt list (签收表)
and the two Excel imports."""

from django.urls import path

from anxin.money import claims_views, documents, importing

urlpatterns = [
    path("cases/<int:pk>/claims/new/", claims_views.claim_new, name="case-claim-new"),
    path("cases/<int:pk>/claims/confirm/", claims_views.claims_confirm, name="case-claims-confirm"),
    path("cases/<int:pk>/payments/new/", claims_views.payment_new, name="case-payment-new"),
    path("cases/<int:pk>/payments/run/", claims_views.payment_run, name="case-payment-run"),
    path("cases/<int:pk>/receipts.xlsx", documents.receipts_xlsx, name="case-receipts-xlsx"),
    path("cases/<int:pk>/receipts.docx", documents.receipts_docx, name="case-receipts-docx"),
    path("claims/", claims_views.claim_ledger, name="claim-ledger"),
    path("claims/<int:pk>/confirm/", claims_views.claim_confirm, name="claim-confirm"),
    path("claims/<int:pk>/correct/", claims_views.claim_correct, name="claim-correct"),
    path("claims/import/", importing.claim_import_view, name="claim-import"),
    path("claims/import/confirm/", importing.claim_import_confirm, name="claim-import-confirm"),
    path("claims/import/template.xlsx", importing.claim_import_template, name="claim-import-template"),
    path("payments/", claims_views.payment_ledger, name="payment-ledger"),
    path("payments/<int:pk>/reverse/", claims_views.payment_reverse, name="payment-reverse"),
    path("payments/import/", importing.payment_import_view, name="payment-import"),
    path("payments/import/confirm/", importing.payment_import_confirm, name="payment-import-confirm"),
    path("payments/import/template.xlsx", importing.payment_import_template, name="payment-import-template"),
]
