"""The holder's own password change: replaces a one-time password set by an administrator."""

from __future__ import annotations

from typing import cast

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from anxin.core.errors import DomainError
from anxin.core.security import client_ip
from anxin.org.models import User
from anxin.org.services import user_password_change


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's form (current password, new password twice, the password policy); the change
    itself is ``user_password_change``: a PASSWORD_CHANGE security event, tokens revoked."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["one_time"] = isinstance(user, User) and user.must_change_password
        if isinstance(user, User) and user.must_change_password:
            setter = user.password_set_by
            context["set_by"] = (
                "系统（运维命令）"
                if setter is None or setter.username == "system"
                else f"{setter.display_name}（{setter.username}）"
            )
            context["set_at"] = user.password_set_at
        return context

    def form_valid(self, form):
        try:
            user = user_password_change(
                actor=cast("User", self.request.user),  # login_required: the project's user
                password=form.cleaned_data["new_password1"],
                ip=client_ip(self.request),
            )
        except DomainError as exc:
            form.add_error("new_password1" if exc.field == "password" else None, exc.message)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
