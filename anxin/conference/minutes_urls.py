"""The minutes part's pages: a meeting's minutes (draft, actions, Word) and the decisions."""

from django.urls import URLPattern, path

from anxin.conference import decisions_views, minutes_views

urlpatterns: list[URLPattern] = [
    path("conference/meetings/<int:pk>/minutes/", minutes_views.minutes_page, name="conference-minutes"),
    path(
        "conference/meetings/<int:pk>/minutes/edit/",
        minutes_views.minutes_edit,
        name="conference-minutes-edit",
    ),
    path(
        "conference/meetings/<int:pk>/minutes/word/",
        minutes_views.minutes_word,
        name="conference-minutes-word",
    ),
    path(
        "conference/meetings/<int:pk>/minutes/<slug:do>/",
        minutes_views.minutes_act,
        name="conference-minutes-act",
    ),
    path("conference/decisions/", decisions_views.decision_list, name="conference-decisions"),
    path("conference/decisions/<int:pk>/", decisions_views.decision_detail, name="conference-decision"),
    path(
        "conference/decisions/<int:pk>/files/<int:file>/",
        decisions_views.decision_file,
        name="conference-decision-file",
    ),
    path(
        "conference/decisions/<int:pk>/notices/<int:notice>/word/",
        decisions_views.notice_word,
        name="conference-notice-word",
    ),
    path(
        "conference/decisions/<int:pk>/<slug:do>/",
        decisions_views.decision_act,
        name="conference-decision-act",
    ),
]
