"""The traces part's pages (joined in ``assessment/urls.py``)."""

from django.urls import URLPattern, path

from anxin.assessment import traces_views as views

urlpatterns: list[URLPattern] = [
    path("assessment/cases/<int:pk>/trace/", views.case_trace, name="assessment-case-trace"),
    path("assessment/traces/", views.trace_list, name="assessment-traces"),
    path("assessment/traces/<int:pk>/", views.trace_detail, name="assessment-trace"),
    path("assessment/traces/<int:pk>/word/", views.trace_word, name="assessment-trace-word"),
    path("assessment/findings/", views.finding_list, name="assessment-findings"),
    path("assessment/findings/new/", views.finding_new, name="assessment-finding-new"),
    path("assessment/findings/<int:pk>/", views.finding_detail, name="assessment-finding"),
    path(
        "assessment/findings/<int:pk>/withdraw/", views.finding_withdraw, name="assessment-finding-withdraw"
    ),
    path("assessment/findings/<int:pk>/refer/", views.referral_new, name="assessment-referral-new"),
    path("assessment/vetoes/", views.veto_list, name="assessment-vetoes"),
    path("assessment/vetoes/<int:pk>/", views.veto_detail, name="assessment-veto"),
    path("assessment/vetoes/<int:pk>/<str:action>/", views.veto_act, name="assessment-veto-act"),
    path("assessment/referrals/", views.referral_list, name="assessment-referrals"),
    path("assessment/referrals/<int:pk>/", views.referral_detail, name="assessment-referral"),
    path("assessment/referrals/<int:pk>/word/", views.referral_word, name="assessment-referral-word"),
    path(
        "assessment/referrals/<int:pk>/files/<int:file_pk>/",
        views.referral_file,
        name="assessment-referral-file",
    ),
    path("assessment/referrals/<int:pk>/<str:action>/", views.referral_act, name="assessment-referral-act"),
]
