"""The scoring part's pages (joined in ``assessment/urls.py``)."""

from django.urls import URLPattern, path

from anxin.assessment import scoring_views as views

urlpatterns: list[URLPattern] = [
    path("assessment/schemes/", views.scheme_list, name="assessment-scheme-list"),
    path("assessment/schemes/new/", views.scheme_create, name="assessment-scheme-create"),
    path("assessment/schemes/<int:pk>/", views.scheme_detail, name="assessment-scheme"),
    path("assessment/schemes/<int:pk>/edit/", views.scheme_edit, name="assessment-scheme-edit"),
    path("assessment/schemes/<int:pk>/<str:do>/", views.scheme_act, name="assessment-scheme-act"),
    path("assessment/scores/", views.score_board, name="assessment-score-board"),
    path("assessment/scores/recompute/", views.score_recompute, name="assessment-score-recompute"),
    path("assessment/scores/<int:pk>/", views.score_detail, name="assessment-score"),
    path("assessment/scores/<int:pk>/files/<int:file>/", views.score_file, name="assessment-score-file"),
    path(
        "assessment/hand-scores/<int:indicator>/<int:unit>/", views.hand_score, name="assessment-score-hand"
    ),
    path("assessment/my-score/", views.my_score, name="assessment-my-score"),
]
