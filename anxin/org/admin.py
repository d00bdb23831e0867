"""Django admin for the three admin roles (三员分立).

系统管理员 creates and edits accounts (not roles); 安全管理员 assigns roles (and unlocks accounts
through django-axes' access attempts); 审计员 reads. Every save goes through a service.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password

from anxin.core.security import client_ip
from anxin.org.models import ROLE_UNIT_KINDS, Duty, Role, Town, Unit, User
from anxin.org.services import user_account_save, user_role_assign


class UserAdminForm(forms.ModelForm):
    request_user: User | AnonymousUser | None = None  # set by UserAdmin.get_form
    password = forms.CharField(
        label="初始密码",
        required=False,
        widget=forms.PasswordInput,
        help_text="新建时填写；修改时留空则不变。须符合密码策略。",
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
        if self.request_user is not None and user.pk == self.request_user.pk and role != user.role:
            self.add_error("role", "不能调整自己的角色")
        return data


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserAdminForm
    list_display = ["username", "full_name", "unit", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["username", "full_name"]
    list_select_related = ["unit"]
    ordering = ["username"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(username="system")

    def get_fields(self, request, obj=None):
        fields = ["username", "full_name", "phone", "unit", "is_active"]
        if obj is None or request.user.has_perm("org.change_user"):
            fields.append("password")
        fields.append("role")
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = []
        if obj is not None:
            readonly.append("username")
        if not request.user.has_perm("org.change_user") and obj is not None:
            readonly += ["full_name", "phone", "unit", "is_active"]
        if not request.user.has_perm("org.assign_role"):
            readonly.append("role")
        return readonly

    def has_change_permission(self, request, obj=None):
        # The 安全管理员 changes only the role (the other fields are read-only for it).
        return super().has_change_permission(request, obj) or request.user.has_perm("org.assign_role")

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: their history must stay attributable

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        cast("type[UserAdminForm]", form).request_user = request.user  # the admin's form is UserAdminForm
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        ip = client_ip(request)
        if request.user.has_perm("org.change_user") or not change:
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
