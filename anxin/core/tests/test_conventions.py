"""Habits the whole project keeps, checked over every app (DESIGN "Rules of the house", STYLE)."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps


def _own_models(*, abstract: bool) -> list[type[models.Model]]:
    """The project's model classes (concrete ones from the app registry, abstract ones by walking
    Model's subclasses), in every app under ``anxin``."""
    own = {config.name for config in apps.get_app_configs() if config.name.startswith("anxin.")}
    if not abstract:
        return [m for m in apps.get_models() if m._meta.app_config.name in own]
    found: list[type[models.Model]] = []
    pending = list(models.Model.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls._meta.abstract and cls.__module__.split(".models")[0] in own:
            found.append(cls)
    return found


def _missing_docstring(model: type[models.Model]) -> bool:
    """No docstring of its own, or the one Django writes when there is none: ``Case(id, number, …)``."""
    doc = (model.__dict__.get("__doc__") or "").strip()
    return not doc or re.fullmatch(rf"{re.escape(model.__name__)}\(.*\)", doc, re.DOTALL) is not None


def test_the_project_has_models_to_check():
    # The walk below must not pass by finding nothing.
    names = {m.__name__ for m in _own_models(abstract=False)}
    assert {"Signal", "Case", "Enterprise", "User"} <= names
    assert "TimeStampedModel" in {m.__name__ for m in _own_models(abstract=True)}


def test_every_model_says_what_real_world_thing_it_is():
    undocumented = sorted(
        f"{m.__module__}.{m.__name__}"
        for m in _own_models(abstract=False) + _own_models(abstract=True)
        if _missing_docstring(m)
    )
    assert undocumented == [], "models without a docstring: " + ", ".join(undocumented)


@isolate_apps("anxin.core")
def test_the_check_recognises_the_signature_django_writes():
    class Thing(models.Model):  # noqa: DJ008 - a throwaway model, never shown
        name = models.CharField(max_length=10)

    class Documented(models.Model):  # noqa: DJ008 - a throwaway model, never shown
        """A thing in the district."""

    assert Thing.__doc__ == "Thing(id, name)"  # what Django writes when there is no docstring
    assert _missing_docstring(Thing)
    assert not _missing_docstring(Documented)
