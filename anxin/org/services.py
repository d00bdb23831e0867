"""Writes of the organisation: the district load, accounts, roles, passwords, API tokens."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from anxin.core.access import is_system, require_perm
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
    district_name = (data.get("district") or {}).get("name", "")
    with transaction.atomic(), acting(actor):
        towns = {}
        for order, item in enumerate(data.get("towns") or [], start=1):
            town, _created = Town.objects.update_or_create(
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "kind": item["kind"],
                    "public_phone": str(item.get("public_phone", "")),
                    "order": order,
                },
            )
            towns[town.code] = town
        units = {}
        for order, item in enumerate(data.get("units") or [], start=1):
            unit, _created = Unit.objects.update_or_create(
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "short_name": item.get("short_name", ""),
                    "full_name": item.get("full_name", ""),
                    "public_phone": str(item.get("public_phone", "")),
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
                    "full_name": f"{district_name}{town.name}人民政府"
                    if town.kind == "town"
                    else f"{district_name}{town.name}办事处",
                    "public_phone": town.public_phone,
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
    by_name = {  # every permission once (one query, not one per permission of each role)
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role in Role:
        group, _created = Group.objects.get_or_create(name=str(role.label))
        wanted = []
        for dotted in role_permissions(role):
            if dotted not in by_name:
                raise RuntimeError(f"permission {dotted} does not exist (role {role})")
            wanted.append(by_name[dotted])
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


# --- accounts: who may change what (三员分立) -------------------------------------------------

# The roles that must always have someone on duty: nobody deactivates (or moves away) the last one.
ON_DUTY_ROLES = (Role.SECADMIN, Role.AUDITOR)


def may_manage_admin_accounts(actor: User | None) -> bool:
    """The 安全管理员 (or the system): the only ones who may change the password, status, unit, name
    or phone of the three administrators' accounts (系统管理员、安全管理员、审计员)."""
    return is_system(actor) or (
        actor is not None and actor.is_active and actor.has_perm("org.manage_admin_accounts")
    )


def admin_account_refusal() -> str:
    return _(
        "按三员分立，系统管理员、安全管理员、审计员的账户只能由安全管理员修改（密码、启用状态、单位、姓名、手机号）"
    )


def _check_account_change(actor: User, user: User, changes: set[str]) -> None:
    """Refuse a change the actor may not make to this account (nothing changed: nothing to refuse)."""
    if not changes or user.pk is None:
        return
    if user.role in STAFF_ROLES and not may_manage_admin_accounts(actor):
        raise PermissionDenied(admin_account_refusal())
    if not is_system(actor) and actor.pk == user.pk and changes & {"password", "is_active"}:
        raise DomainError(
            _("不能在此重设自己的密码或停用自己的账户（修改自己的密码请用“修改密码”）"),
            field="password" if "password" in changes else "is_active",
        )


def on_duty_refusal(user: User, *, role: str, is_active: bool, lock: bool = False) -> str:
    """Why this change would leave the district without an active 安全管理员 or 审计员 ("" if it
    would not): nobody, not even the system, deactivates or moves away the last one."""
    if user.pk is None or not user.is_active or user.role not in ON_DUTY_ROLES:
        return ""
    if is_active and role == user.role:
        return ""
    on_duty = User.objects.filter(role=user.role, is_active=True)
    if lock:
        on_duty = on_duty.select_for_update()
    if set(on_duty.values_list("pk", flat=True)) - {user.pk}:
        return ""
    return _(
        "%(name)s 是最后一个在用的%(role)s账户，不能停用或改变其角色：三员分立须始终有人在岗，请先设立另一个%(role)s账户"
    ) % {"name": user.username, "role": Role(user.role).label}


def _keep_one_on_duty(user: User, *, role: str, is_active: bool) -> None:
    refusal = on_duty_refusal(user, role=role, is_active=is_active, lock=True)
    if refusal:
        raise DomainError(refusal, field="is_active" if not is_active else "role")


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="password") from None


def _apply_password(user: User, password: str, *, actor: User, one_time: bool) -> None:
    """A password set by someone other than its holder: one-time unless told otherwise."""
    _validate_password(password, user)
    user.set_password(password)
    user.must_change_password = one_time
    user.password_set_by = actor if actor is not None and actor.pk else None
    user.password_set_at = timezone.now()


def _password_set_recorded(*, actor: User, user: User, ip: str | None, one_time: bool, created: bool) -> None:
    security_event_record(
        kind=SecurityEventKind.PASSWORD_SET,
        user=actor,
        ip=ip,
        summary=f"{actor.username} 为 {user.username} 设置了{'初始' if created else ''}密码"
        + ("（一次性密码，须本人下次登录时修改）" if one_time else "（演示或测试账户，不要求修改）"),
        detail={"username": user.username, "by": actor.username, "one_time": one_time, "created": created},
    )
    if not created:
        tokens_revoke(actor=actor, user=user, reason="管理员设置密码", ip=ip)


def _status_recorded(*, actor: User, user: User, ip: str | None) -> None:
    security_event_record(
        kind=SecurityEventKind.ACCOUNT_STATUS,
        user=actor,
        ip=ip,
        summary=f"{actor.username} {'启用' if user.is_active else '停用'}了账户 {user.username}",
        detail={"username": user.username, "is_active": user.is_active},
    )
    if not user.is_active:
        tokens_revoke(actor=actor, user=user, reason="账户停用", ip=ip)


def _staff_role_voids_password(actor: User, user: User, *, old_role: str, ip: str | None) -> bool:
    """An account that becomes one of the three administrators keeps no password that someone else
    (the 系统管理员 who created it, say) may know: the 安全管理员 sets it a one-time password."""
    if is_system(actor) or old_role in STAFF_ROLES or user.role not in STAFF_ROLES:
        return False
    if not user.has_usable_password():
        return False
    user.set_unusable_password()
    user.must_change_password = False
    user.password_set_by = actor
    user.password_set_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_set_by", "password_set_at"])
    security_event_record(
        kind=SecurityEventKind.PASSWORD_SET,
        user=actor,
        ip=ip,
        summary=f"{user.username} 被授予{user.get_role_display()}角色，原密码作废，须由安全管理员设置一次性密码",
        detail={"username": user.username, "by": actor.username, "voided": True},
    )
    tokens_revoke(actor=actor, user=user, reason="授予管理员角色", ip=ip)
    return True


def _account_changes(
    user: User, *, password: str | None, is_active: bool, unit: Unit, full_name: str, phone: str
) -> set[str]:
    """The account fields a save would change (what 三员分立 checks the actor may change)."""
    return {
        name
        for name, differs in (
            ("password", password is not None),
            ("is_active", is_active != user.is_active),
            ("unit", user.unit_id != unit.pk),
            ("full_name", full_name != user.full_name),
            ("phone", phone != user.phone),
        )
        if differs
    }


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
    one_time_password: bool = True,
) -> User:
    """Create or update an account with one unit and one role; the role's group follows.

    Only the 安全管理员 (``org.assign_role``) or the system may grant a role (三员分立).
    ``is_active`` None keeps an existing account's state (a new account is active). A password
    given here is one-time (the holder must change it at the next login); ``one_time_password``
    False is for the demo personas and the test personas only.
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
        was_active = user.is_active
        full_name = full_name or user.full_name
        phone = phone or user.phone
        active = user.is_active if is_active is None else is_active
        changes = _account_changes(
            user, password=password, is_active=active, unit=unit, full_name=full_name, phone=phone
        )
        _check_account_change(actor, user, changes)
        _keep_one_on_duty(user, role=role, is_active=active)
        if password is not None:
            _apply_password(user, password, actor=actor, one_time=one_time_password)
        elif created:
            user.set_unusable_password()
        user.unit = unit
        previous_role = user.role
        user.role = role
        user.full_name = full_name
        user.phone = phone
        user.is_active = active
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
        if password is not None:
            _password_set_recorded(actor=actor, user=user, ip=ip, one_time=one_time_password, created=created)
        elif not created:
            _staff_role_voids_password(actor, user, old_role=previous_role, ip=ip)
        if not created and user.is_active != was_active:
            _status_recorded(actor=actor, user=user, ip=ip)
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
    """Create or edit an account (no role: roles are the 安全管理员's, 三员分立).

    The 系统管理员 creates accounts and edits every account but the three administrators'; those
    the 安全管理员 edits (and sets their passwords). A password given here is one-time: the holder
    must change it at the next login. Each password set and each (de)activation is a security event.
    """
    username = _clean_username(username)
    with transaction.atomic(), acting(actor, remote_addr=ip):
        existing = User.objects.select_for_update().filter(username=username).first()
        created = existing is None
        user = User(username=username) if existing is None else existing
        if created:
            require_perm(actor, "org.add_user")
        elif user.role in STAFF_ROLES:
            if not may_manage_admin_accounts(actor):
                raise PermissionDenied(admin_account_refusal())
        else:
            require_perm(actor, "org.change_user")
        if user.role and unit.kind not in ROLE_UNIT_KINDS[Role(user.role)]:
            raise DomainError(
                _("该用户的角色“%(role)s”不能属于单位“%(unit)s”，请先由安全管理员调整角色")
                % {"role": user.get_role_display(), "unit": unit.name},
                field="unit",
            )
        old_unit = user.unit_id
        was_active = user.is_active
        active = user.is_active if is_active is None else is_active
        changes = _account_changes(
            user, password=password, is_active=active, unit=unit, full_name=full_name, phone=phone
        )
        _check_account_change(actor, user, changes)
        _keep_one_on_duty(user, role=user.role, is_active=active)
        if password is not None:
            _apply_password(user, password, actor=actor, one_time=True)
        elif created:
            user.set_unusable_password()
        user.unit = unit
        user.full_name = full_name
        user.phone = phone
        user.is_active = active
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
        if password is not None:
            _password_set_recorded(actor=actor, user=user, ip=ip, one_time=True, created=created)
        if not created and user.is_active != was_active:
            _status_recorded(actor=actor, user=user, ip=ip)
    user.__dict__.pop("scope", None)
    return user


def user_role_assign(*, actor: User, user: User, role: str, ip: str | None = None) -> User:
    """The 安全管理员 grants (or, with "", revokes) a user's role; the group follows.

    An account that becomes a 系统管理员, 安全管理员 or 审计员 loses its password (the 安全管理员
    then sets a one-time one); the last active 安全管理员 or 审计员 keeps its role."""
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
        _keep_one_on_duty(locked, role=role, is_active=locked.is_active)
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
            _staff_role_voids_password(actor, locked, old_role=old, ip=ip)
    locked.__dict__.pop("scope", None)
    return locked


def user_password_change(*, actor: User, password: str, ip: str | None = None) -> User:
    """The holder changes their own password (the form has checked the current one): a one-time
    password set by an administrator is replaced, and the holder's API tokens are revoked."""
    with transaction.atomic(), acting(actor, remote_addr=ip):
        user = User.objects.select_for_update().get(pk=actor.pk)
        if user.check_password(password):
            raise DomainError(_("新密码不能与当前密码相同"), field="password")
        _validate_password(password, user)
        was_one_time = user.must_change_password
        user.set_password(password)
        user.must_change_password = False
        user.password_set_by = user
        user.password_set_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_set_by", "password_set_at"])
        security_event_record(
            kind=SecurityEventKind.PASSWORD_CHANGE,
            user=user,
            ip=ip,
            summary=f"{user.username} 修改了自己的密码"
            + ("（替换管理员设置的一次性密码）" if was_one_time else ""),
            detail={"username": user.username, "replaced_one_time": was_one_time},
        )
        tokens_revoke(actor=user, user=user, reason="本人修改密码", ip=ip)
    return user


# --- API tokens (django-rest-knox: stored as digests, expiring) ------------------------------


def token_issue(*, actor: User, user: User, ip: str | None = None) -> str:
    """A new API token for ``user`` (replacing any earlier one), valid ``API_TOKEN_TTL_DAYS`` days.

    Only its digest is stored: the key returned here is shown once and cannot be read back."""
    if not user.is_active:
        raise DomainError(_("账户已停用，不能签发令牌"))
    if user.must_change_password:
        raise DomainError(_("该账户的密码由管理员设置，须本人登录修改密码后才能签发令牌"))
    with transaction.atomic():
        AuthToken.objects.filter(user=user).delete()
        _token, key = AuthToken.objects.create(user=user)
        security_event_record(
            kind=SecurityEventKind.TOKEN_ISSUED,
            user=actor,
            ip=ip,
            summary=f"为 {user.username} 签发接口令牌（{settings.API_TOKEN_TTL_DAYS} 天内有效）",
        )
    return key


def tokens_revoke(*, actor: User | None, user: User, reason: str, ip: str | None = None) -> int:
    """Delete every API token of ``user``; a TOKEN_REVOKED event says how many and why."""
    with transaction.atomic():
        count, _deleted = AuthToken.objects.filter(user=user).delete()
        if count:
            security_event_record(
                kind=SecurityEventKind.TOKEN_REVOKED,
                user=actor,
                username="" if actor is not None else user.username,
                ip=ip,
                summary=f"吊销 {user.username} 的接口令牌 {count} 个（{reason}）",
                detail={"username": user.username, "count": count, "reason": reason},
            )
    return count
