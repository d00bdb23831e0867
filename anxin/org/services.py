"""Writes of the organisation: the district load, accounts, roles, API tokens."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from anxin.core.access import require_perm
from anxin.core.audit import SYSTEM_USERNAME, acting
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEventKind
from anxin.core.services import security_event_record
from anxin.org.models import ROLE_UNIT_KINDS, Duty, Role, Town, Unit, UnitKind, User
from anxin.org.roles import STAFF_ROLES, role_from_text, role_permissions

TOWN_UNIT_PREFIX = "gov-"


def _nolog(_message: str) -> None:
    return None


def district_load_org(*, data: dict, actor: User, log: Callable[[str], None] = _nolog) -> None:
    """Create or update towns, units, duties and role groups from the district file (idempotent)."""
    with transaction.atomic(), acting(actor):
        towns = {}
        for order, item in enumerate(data.get("towns") or [], start=1):
            town, _created = Town.objects.update_or_create(
                code=item["code"], defaults={"name": item["name"], "kind": item["kind"], "order": order}
            )
            towns[town.code] = town
        units = {}
        for order, item in enumerate(data.get("units") or [], start=1):
            unit, _created = Unit.objects.update_or_create(
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "short_name": item.get("short_name", ""),
                    "kind": item["kind"],
                    "citation": item.get("citation", ""),
                    "is_member": item.get("member", True),
                    "order": order,
                },
            )
            units[unit.code] = unit
        base = len(units) + 1
        for offset, town in enumerate(towns.values()):
            unit, _created = Unit.objects.update_or_create(
                code=f"{TOWN_UNIT_PREFIX}{town.code}",
                defaults={
                    "name": f"{town.name}人民政府" if town.kind == "town" else f"{town.name}办事处",
                    "short_name": town.name,
                    "kind": UnitKind.TOWN_GOVERNMENT,
                    "town": town,
                    "citation": "§二、§三(十五)",
                    "is_member": True,
                    "order": base + offset,
                },
            )
            units[unit.code] = unit
        duties = 0
        for item in data.get("duties") or []:
            if item["unit"] == "*towns":  # one duty per town government, coded by its town
                targets = [
                    (u, f"{item['code']}-{u.town.code}")
                    for u in units.values()
                    if u.kind == UnitKind.TOWN_GOVERNMENT and u.town is not None
                ]
            elif (target := units.get(item["unit"])) is not None:
                targets = [(target, item["code"])]
            else:
                raise DomainError(_("职责“%(code)s”指向未知单位“%(unit)s”") % item)
            for unit, code in targets:
                Duty.objects.update_or_create(
                    code=code,
                    defaults={
                        "unit": unit,
                        "name": item["name"],
                        "citation": item.get("citation", ""),
                        "description": item.get("description", ""),
                        "line_all_enterprises": bool(item.get("line_all_enterprises", False)),
                        "line_enterprise_kinds": list(item.get("line_enterprise_kinds") or []),
                        "line_all_projects": bool(item.get("line_all_projects", False)),
                        "line_project_supervisors": list(item.get("line_project_supervisors") or []),
                    },
                )
                duties += 1
        roles_sync_groups()
    log(f"组织机构：镇/街道 {len(towns)} 个，单位 {len(units)} 个，职责 {duties} 项，角色 {len(Role)} 个")


def roles_sync_groups() -> None:
    """One group per role, named in Chinese, with exactly the role's permissions."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=str(role.label))
        wanted = []
        for dotted in role_permissions(role):
            app_label, codename = dotted.split(".")
            try:
                wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
            except Permission.DoesNotExist:
                raise RuntimeError(f"permission {dotted} does not exist (role {role})") from None
        group.permissions.set(wanted)


def _resolve_unit(unit_text: str) -> Unit:
    text = (unit_text or "").strip()
    unit = Unit.objects.filter(code=text).first() or Unit.objects.filter(name=text).first()
    if unit is None:
        unit = Unit.objects.filter(short_name=text).first()
    if unit is None:
        raise DomainError(_("未找到单位“%(unit)s”（请使用单位代码或全称）") % {"unit": text}, field="unit")
    return unit


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise DomainError(_("请填写用户名"), field="username")
    if username == SYSTEM_USERNAME:
        raise DomainError(_("“%(name)s”为系统保留账户名") % {"name": username}, field="username")
    return username


def _set_password(user: User, password: str | None, *, created: bool) -> None:
    """Apply the password policy; a new account without a password cannot sign in yet."""
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError("；".join(exc.messages), field="password") from None
        user.set_password(password)
    elif created:
        user.set_unusable_password()


def user_save(
    *,
    actor: User,
    username: str,
    unit: Unit | str,
    role: str,
    password: str | None = None,
    full_name: str = "",
    phone: str = "",
    is_active: bool | None = None,
    ip: str | None = None,
) -> User:
    """Create or update an account with one unit and one role; the role's group follows.

    Only the 安全管理员 (``org.assign_role``) or the system may grant a role (三员分立).
    ``is_active`` None keeps an existing account's state (a new account is active).
    """
    require_perm(actor, "org.assign_role")
    username = _clean_username(username)
    try:
        role = role_from_text(role)
    except ValueError:
        raise DomainError(
            _("未知角色“%(role)s”，可选：%(roles)s")
            % {"role": role, "roles": "、".join(str(r.label) for r in Role)},
            field="role",
        ) from None
    if not isinstance(unit, Unit):
        unit = _resolve_unit(unit)
    if unit.kind not in ROLE_UNIT_KINDS[Role(role)]:
        raise DomainError(
            _("角色“%(role)s”不能属于单位“%(unit)s”") % {"role": Role(role).label, "unit": unit.name},
            field="role",
        )
    with transaction.atomic(), acting(actor, remote_addr=ip):
        existing = User.objects.select_for_update().filter(username=username).first()
        created = existing is None
        user = User(username=username) if existing is None else existing
        old_role = None if created else (user.role, user.unit_id)
        _set_password(user, password, created=created)
        user.unit = unit
        user.role = role
        user.full_name = full_name or user.full_name
        user.phone = phone or user.phone
        if is_active is not None:
            user.is_active = is_active
        user.is_staff = role in STAFF_ROLES
        user.is_superuser = False
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.set([Group.objects.get(name=str(Role(role).label))])
        if old_role != (role, unit.pk):
            security_event_record(
                kind=SecurityEventKind.PERMISSION_CHANGE,
                user=actor,
                ip=ip,
                summary=f"{username}：{Role(role).label} @ {unit.name}" + ("（新建）" if created else ""),
                detail={"username": username, "role": role, "unit": unit.code, "created": created},
            )
    user.__dict__.pop("scope", None)
    return user


def user_account_save(
    *,
    actor: User,
    username: str,
    unit: Unit,
    full_name: str = "",
    phone: str = "",
    is_active: bool | None = None,
    password: str | None = None,
    ip: str | None = None,
) -> User:
    """The 系统管理员 creates or edits an account (no role: roles are the 安全管理员's, 三员分立)."""
    username = _clean_username(username)
    with transaction.atomic(), acting(actor, remote_addr=ip):
        existing = User.objects.select_for_update().filter(username=username).first()
        created = existing is None
        require_perm(actor, "org.add_user" if created else "org.change_user")
        user = User(username=username) if existing is None else existing
        if user.role and unit.kind not in ROLE_UNIT_KINDS[Role(user.role)]:
            raise DomainError(
                _("该用户的角色“%(role)s”不能属于单位“%(unit)s”，请先由安全管理员调整角色")
                % {"role": user.get_role_display(), "unit": unit.name},
                field="unit",
            )
        old_unit = user.unit_id
        _set_password(user, password, created=created)
        user.unit = unit
        user.full_name = full_name
        user.phone = phone
        if is_active is not None:
            user.is_active = is_active
        user.full_clean(exclude=["password"])
        user.save()
        if not created and old_unit != unit.pk and user.role:
            security_event_record(
                kind=SecurityEventKind.PERMISSION_CHANGE,
                user=actor,
                ip=ip,
                summary=f"{username}：单位变更为 {unit.name}（可见范围随之改变）",
                detail={"username": username, "unit": unit.code},
            )
    user.__dict__.pop("scope", None)
    return user


def user_role_assign(*, actor: User, user: User, role: str, ip: str | None = None) -> User:
    """The 安全管理员 grants (or, with "", revokes) a user's role; the group follows."""
    require_perm(actor, "org.assign_role")
    if role:
        try:
            role = role_from_text(role)
        except ValueError:
            raise DomainError(_("未知角色“%(role)s”") % {"role": role}, field="role") from None
        if user.unit is None or user.unit.kind not in ROLE_UNIT_KINDS[Role(role)]:
            raise DomainError(
                _("角色“%(role)s”不能属于单位“%(unit)s”")
                % {"role": Role(role).label, "unit": user.unit.name if user.unit else "（无）"},
                field="role",
            )
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise DomainError(_("不能调整自己的角色"), field="role")
    with transaction.atomic(), acting(actor, remote_addr=ip):
        locked = User.objects.select_for_update().get(pk=user.pk)
        old = locked.role
        locked.role = role
        locked.is_staff = role in STAFF_ROLES
        locked.full_clean(exclude=["password"])
        locked.save()
        locked.groups.set([Group.objects.get(name=str(Role(role).label))] if role else [])
        if old != role:
            security_event_record(
                kind=SecurityEventKind.PERMISSION_CHANGE,
                user=actor,
                ip=ip,
                summary=f"{locked.username}：角色 {Role(old).label if old else '无'} → {Role(role).label if role else '无'}",
                detail={"username": locked.username, "old": old, "new": role},
            )
    locked.__dict__.pop("scope", None)
    return locked


def token_issue(*, actor: User, user: User, ip: str | None = None) -> str:
    """A new API token for ``user`` (replacing any earlier one)."""
    if not user.is_active:
        raise DomainError(_("账户已停用，不能签发令牌"))
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        security_event_record(
            kind=SecurityEventKind.TOKEN_ISSUED, user=actor, ip=ip, summary=f"为 {user.username} 签发接口令牌"
        )
    return token.key
