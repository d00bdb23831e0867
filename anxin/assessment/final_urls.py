"""The final part's pages (joined in ``assessment/urls.py``)."""

from django.urls import URLPattern, path

from anxin.assessment import final_views as v

urlpatterns: list[URLPattern] = [
    path("assessment/years/", v.year_list, name="assessment-years"),
    path("assessment/years/<int:year>/", v.year_page, name="assessment-year"),
    path("assessment/years/<int:year>/ranking/", v.ranking, name="assessment-ranking"),
    path("assessment/years/<int:year>/report.docx", v.report_word, name="assessment-report"),
    path("assessment/years/<int:year>/<str:do>/", v.year_act, name="assessment-year-act"),
    path("assessment/objections/", v.objection_list, name="assessment-objections"),
    path("assessment/objections/<int:pk>/", v.objection_detail, name="assessment-objection"),
    path("assessment/objections/<int:pk>/answer/", v.objection_answer, name="assessment-objection-answer"),
    path(
        "assessment/objections/<int:pk>/files/<int:file>/", v.objection_file, name="assessment-objection-file"
    ),
    path("assessment/items/<int:item>/objection/", v.objection_new, name="assessment-objection-new"),
]
