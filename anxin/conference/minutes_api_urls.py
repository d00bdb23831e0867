"""The minutes part's API (under /api/v1/): minutes of a meeting and decisions; POSTs answer with and
without the trailing slash (the issue's spellings have none)."""

from django.urls import URLPattern, path

from anxin.conference import decisions_api, minutes_api

_MINUTES = [
    ("", minutes_api.MinutesDraftView, minutes_api.MinutesDraftNoSlash, "minutes"),
    ("/submit", minutes_api.MinutesSubmitView, minutes_api.MinutesSubmitNoSlash, "minutes-submit"),
    ("/sign", minutes_api.MinutesSignView, minutes_api.MinutesSignNoSlash, "minutes-sign"),
    ("/return", minutes_api.MinutesReturnView, minutes_api.MinutesReturnNoSlash, "minutes-return"),
    ("/issue", minutes_api.MinutesIssueView, minutes_api.MinutesIssueNoSlash, "minutes-issue"),
]
_DECISIONS = [
    ("progress", decisions_api.ProgressView, decisions_api.ProgressNoSlash, "decision-progress"),
    ("complete", decisions_api.CompleteView, decisions_api.CompleteNoSlash, "decision-complete"),
    ("accept", decisions_api.AcceptView, decisions_api.AcceptNoSlash, "decision-accept"),
    ("send-back", decisions_api.SendBackView, decisions_api.SendBackNoSlash, "decision-send-back"),
]

urlpatterns: list[URLPattern] = [
    *[
        p
        for tail, view, bare, name in _MINUTES
        for p in (
            path(f"meetings/<int:id>/minutes{tail}/", view.as_view(), name=f"meeting-{name}"),
            path(f"meetings/<int:id>/minutes{tail}", bare.as_view(), name=f"meeting-{name}-noslash"),
        )
    ],
    path("decisions/", decisions_api.DecisionsView.as_view(), name="decision-list"),
    path("decisions/<int:id>/", decisions_api.DecisionView.as_view(), name="decision-detail"),
    *[
        p
        for tail, view, bare, name in _DECISIONS
        for p in (
            path(f"decisions/<int:id>/{tail}/", view.as_view(), name=name),
            path(f"decisions/<int:id>/{tail}", bare.as_view(), name=f"{name}-noslash"),
        )
    ],
]
