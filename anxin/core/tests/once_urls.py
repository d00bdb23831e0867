"""A test URL map for anxin.core.once: the project's URLs plus one HTML form and one API view that
each write a row per run (a security event named by ``SUMMARY``), so a test counts how often the view
really ran. Used with ``@pytest.mark.urls("anxin.core.tests.once_urls")``."""

from __future__ import annotations

import time

from django.http import HttpResponse, HttpResponseRedirect
from django.template import RequestContext, Template
from django.urls import path
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.urls import urlpatterns as project

SUMMARY = "once-test write"
PAUSE = {"seconds": 0.0}  # a concurrent test makes the view slow, so two requests overlap
FORM = Template('<form method="post">{% csrf_token %}<input name="text"><button>提交</button></form>')


def runs() -> int:
    return SecurityEvent.objects.filter(summary=SUMMARY).count()


def _write(text: str) -> None:
    time.sleep(PAUSE["seconds"])
    SecurityEvent.objects.create(kind=SecurityEventKind.IMPORT, summary=SUMMARY, detail={"text": text})


def form_view(request):
    if request.method != "POST":
        return HttpResponse(FORM.render(RequestContext(request, {})))
    if request.POST.get("text") == "refuse":
        return HttpResponse("refused", status=403)
    _write(request.POST.get("text", ""))
    return HttpResponseRedirect(f"/once-test/done/?n={runs()}")


class WriteView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):
        if request.data.get("fail"):
            return Response({"detail": "broken"}, status=503)
        _write(str(request.data.get("text", "")))
        return Response({"runs": runs(), "text": request.data.get("text")}, status=201)


urlpatterns = [
    path("once-test/form/", form_view),
    path("once-test/api/", WriteView.as_view()),
    *project,
]
