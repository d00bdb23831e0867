"""Django admin for the three admin roles (三员分立).

系统管理员 creates and edits accounts (not roles), except the three administrators' own accounts;
安全管理员 assigns roles, edits those three kinds of account (password, status, unit, name, phone)
and unlocks accounts through django-axes' access attempts; 审计员 reads. Every save goes through a
service.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from knox.models import AuthToken

from anxin.core.security import client_ip
from anxin.org.models import ROLE_UNIT_KINDS, Duty, Role, Town, Unit, User
from anxin.org.roles import STAFF_ROLES
from anxin.org.services import (
    admin_account_refusal,
    may_manage_admin_accounts,
    on_duty_refusal,
    user_account_save,
    user_role_assign,
)

# API tokens are issued by ``manage.py issue_token`` (org.services.token_issue, a security event),
# never typed into knox's own admin page.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


class UserAdminForm(forms.ModelForm):
    request_user: User | AnonymousUser | None = None  # set by UserAdmin.get_form
    password = forms.CharField(
        label="初始密码",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="一次性密码：本人下次登录时必须修改。新建时填写；修改时留空则不变。须符合密码策略。",
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "unit", "is_active", "role"]

    def clean(self):
        """The refusals the services would raise, shown on the form instead of as an error page."""
        data = super().clean() or {}
        user = self.instance if self.instance.pk else User(username=data.get("username", ""))
        password = data.get("password")
        if password:
            try:
                validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        role = data.get("role", user.role)
        unit = data.get("unit", user.unit)
        if role and unit is not None and unit.kind not in ROLE_UNIT_KINDS[role]:
            self.add_error("role", f"角色“{Role(role).label}”不能属于单位“{unit.name}”")
        if user.pk is not None:
            active = data.get("is_active", user.is_active)
            refusal = on_duty_refusal(user, role=role, is_active=active)
            if refusal:
                self.add_error("is_active" if not active and "is_active" in data else "role", refusal)
        if self.request_user is not None and user.pk == self.request_user.pk:
            if role != user.role:
                self.add_error("role", "不能调整自己的角色")
            if password:
                self.add_error("password", "不能在此重设自己的密码，请用“修改密码”")
            if "is_active" in data and not data["is_active"] and user.is_active:
                self.add_error("is_active", "不能停用自己的账户")
        return data


def _may_edit_account(request_user: Any, obj: User | None) -> bool:
    """Password, status, unit, name, phone: the 系统管理员 for new accounts and ordinary ones, the
    安全管理员 (only) for the three administrators' accounts (三员分立)."""
    if obj is None:
        return request_user.has_perm("org.add_user")
    if obj.role in STAFF_ROLES:
        return may_manage_admin_accounts(request_user)
    return request_user.has_perm("org.change_user")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserAdminForm
    list_display = [
        "username",
        "full_name",
        "unit",
        "role",
        "is_active",
        "must_change_password",
        "last_login",
    ]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["username", "full_name"]
    list_select_related = ["unit"]
    ordering = ["username"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(username="system")

    def get_fields(self, request, obj=None):
        fields = ["username", "full_name", "phone", "unit", "is_active"]
        if _may_edit_account(request.user, obj):
            fields.append("password")
        fields.append("role")
        if obj is not None:
            fields += ["must_change_password", "password_set_by", "password_set_at"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = []
        if obj is not None:
            readonly += ["username", "must_change_password", "password_set_by", "password_set_at"]
            if not _may_edit_account(request.user, obj):
                readonly += ["full_name", "phone", "unit", "is_active"]
        if not request.user.has_perm("org.assign_role"):
            readonly.append("role")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "password" in form.base_fields:
            form.base_fields["password"].label = "重设密码"
        cast("type[UserAdminForm]", form).request_user = request.user  # the admin's form is UserAdminForm
        return form

    def has_change_permission(self, request, obj=None):
        # The 安全管理员 changes roles, and the three administrators' accounts (三员分立); the
        # 系统管理员 changes every other account, and may only look at those three.
        if obj is not None and obj.role in STAFF_ROLES:
            return may_manage_admin_accounts(request.user)
        return super().has_change_permission(request, obj) or request.user.has_perm("org.assign_role")

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: their history must stay attributable

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            obj = self.get_object(request, object_id)
            if obj is not None and obj.role in STAFF_ROLES and not may_manage_admin_accounts(request.user):
                if request.method == "POST":
                    raise PermissionDenied(admin_account_refusal())
                self.message_user(request, admin_account_refusal(), messages.INFO)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        ip = client_ip(request)
        stored = None if not change else User.objects.get(pk=obj.pk)
        if _may_edit_account(request.user, stored):
            saved = user_account_save(
                actor=request.user,
                username=obj.username if change else data["username"],
                unit=data.get("unit", obj.unit),
                full_name=data.get("full_name", obj.full_name),
                phone=data.get("phone", obj.phone),
                is_active=data.get("is_active", obj.is_active),
                password=data.get("password") or None,
                ip=ip,
            )
        else:
            saved = User.objects.get(pk=obj.pk)
        if "role" in data and request.user.has_perm("org.assign_role") and data["role"] != saved.role:
            saved = user_role_assign(actor=request.user, user=saved, role=data["role"], ip=ip)
            if saved.role in STAFF_ROLES and not saved.has_usable_password():
                self.message_user(
                    request,
                    f"{saved.username} 已成为{saved.get_role_display()}：按三员分立，其原密码已作废，请为其重设一次性密码。",
                    messages.WARNING,
                )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        return None  # groups follow the role inside the service


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind"]

    def has_add_permission(self, request):
        return False  # reference data comes from the district file (load_district)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(TownAdmin):
    list_display = ["name", "code", "kind", "town", "citation"]
    list_filter = ["kind"]


@admin.register(Duty)
class DutyAdmin(TownAdmin):
    list_display = ["name", "unit", "citation", "line_all_enterprises", "line_all_projects"]
    list_filter = ["unit"]
    list_select_related = ["unit"]
