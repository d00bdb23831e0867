"""The three views of every import screen, over ``importflow``: upload → dry-run preview with
every error; confirm → the stored file imported for real; the template download.

An import declares what differs in a subclass, and its URLs take the three views of
``Subclass().views()``: the enterprise import declares nothing but the names; the signal import's
upload form chooses a channel, kept until the confirm (see docs/ARCHITECTURE.md).

The importer is called ``importer(actor=, content=, filename=, dry_run=, **options)`` (and
``ip=`` when it writes); ``options`` are what the upload form adds (a channel, an indicator).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.core import importflow
from anxin.core.errors import DomainError
from anxin.core.security import client_ip
from anxin.core.tabular import ImportResult
from anxin.core.xlsx import XLSX_TYPE


class ImportScreen:
    key: str  # the session key of the pending upload
    permission: str  # for all three views
    form_class: type[forms.Form]  # has a ``file`` field
    template: str
    page_title: str
    url_name: str  # the upload page, where a refused confirm goes back to
    sample_filename: str
    stale: str = "导入未执行：数据在预览后发生变化，请重新上传。"  # the file no longer passes at confirm
    importer: Callable[..., ImportResult]
    sample: Callable[[], bytes]  # the template workbook

    def form_kwargs(self, request: HttpRequest) -> dict:
        """More arguments for the upload form (say, the channels the user may report for)."""
        return {}

    def options(self, form: Any) -> dict:
        """The importer's arguments that the upload form chose."""
        return {}

    def keep(self, options: dict) -> dict:
        """What the session keeps of ``options`` until the confirm (JSON: ids, not objects)."""
        return {}

    def restore(self, request: HttpRequest, pending: dict) -> dict:
        """``options`` again at the confirm, from what ``keep`` stored."""
        return {}

    def finished(self, result: ImportResult, options: dict) -> tuple[str, str]:
        """The success message and where to go next."""
        raise NotImplementedError

    # --- the views ------------------------------------------------------------------------------

    def upload(self, request):
        form = self.form_class(request.POST or None, request.FILES or None, **self.form_kwargs(request))
        result = pending = None
        if request.method == "POST" and form.is_valid():
            options = self.options(form)
            result, pending, error = importflow.stage(
                request,
                key=self.key,
                upload=form.cleaned_data["file"],
                run=partial(self.importer, actor=request.user, **options),
                extra=self.keep(options),
            )
            if error:
                form.add_error("file", error)
        return render(
            request,
            self.template,
            {"page_title": self.page_title, "form": form, "result": result, "pending": pending},
        )

    def confirm(self, request):
        pending, content, error = importflow.take(request, key=self.key)
        if error:
            messages.error(request, error)
            return redirect(self.url_name)
        assert pending is not None  # no error: ``take`` found the pending import
        options = self.restore(request, pending)
        try:
            result = self.importer(
                actor=request.user,
                content=content,
                filename=pending["filename"],
                dry_run=False,
                ip=client_ip(request),
                **options,
            )
        except DomainError as exc:  # TableError, or the importer's own refusal
            messages.error(request, exc.message)
            return redirect(self.url_name)
        if not result.ok:
            messages.error(request, self.stale + "；".join(str(e) for e in result.errors[:5]))
            return redirect(self.url_name)
        message, url = self.finished(result, options)
        messages.success(request, message)
        return redirect(url)

    def download(self, request):
        response = HttpResponse(self.sample(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=self.sample_filename
        )
        return response

    def views(self):
        """(upload, confirm, template download), each behind the import permission."""
        guard = permission_required(self.permission, raise_exception=True)
        return (
            login_required(guard(self.upload)),
            login_required(guard(require_POST(self.confirm))),
            login_required(guard(self.download)),
        )
