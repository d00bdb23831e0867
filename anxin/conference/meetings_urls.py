"""The meetings part's pages."""

from django.urls import URLPattern, path

from anxin.conference import meetings_views as v

urlpatterns: list[URLPattern] = [
    path("conference/meetings/", v.meeting_list, name="conference-meetings"),
    path("conference/meetings/new/", v.meeting_new, name="conference-meeting-new"),
    path("conference/meetings/<int:pk>/", v.meeting_detail, name="conference-meeting"),
    path("conference/meetings/<int:pk>/edit/", v.meeting_edit, name="conference-meeting-edit"),
    path("conference/meetings/<int:pk>/do/<slug:do>/", v.meeting_act, name="conference-meeting-act"),
    path("conference/meetings/<int:pk>/files/<int:file>/", v.meeting_file, name="conference-meeting-file"),
    path("conference/meetings/<int:pk>/pack/", v.meeting_pack, name="conference-meeting-pack"),
    path("conference/meetings/<int:pk>/pack.docx", v.meeting_pack_docx, name="conference-meeting-pack-docx"),
    path("conference/calendar/", v.meeting_calendar, name="conference-calendar"),
    path("conference/proposals/", v.proposal_list, name="conference-proposals"),
    path("conference/proposals/new/", v.proposal_new, name="conference-proposal-new"),
    path("conference/proposals/<int:pk>/", v.proposal_detail, name="conference-proposal"),
    path("conference/posts/", v.posts_page, name="conference-posts"),
]
