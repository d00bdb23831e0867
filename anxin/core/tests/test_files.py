"""The one file-storing service: checked by content, named by a token, written under the record's
own path, and deleted again when the transaction that wrote its row rolls back.

The tests use a record kind of their own (a StoredFile in an isolated app registry, its table
made for this module), so core's tests need no later app's model.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, models
from django.test.utils import isolate_apps
from PIL import Image

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files, file_store
from anxin.core.models import StoredFile
from anxin.core.uploads import IMAGES

PDF = b"%PDF-1.7\n%test\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _paper_path(instance: StoredFile, filename: str) -> str:
    return f"test-papers/{instance.token}{instance.extension}"


@pytest.fixture(scope="module")
def paper(django_db_setup, django_db_blocker):
    """A concrete StoredFile with a title, its table created for this module and dropped after."""
    with isolate_apps("anxin.core") as test_apps:
        assert test_apps is not None
        user_model = get_user_model()
        test_apps.register_model(user_model._meta.app_label, user_model)

        class Paper(StoredFile):
            title = models.CharField(max_length=50, unique=True)
            file = models.FileField(upload_to=_paper_path, max_length=200)

            class Meta(StoredFile.Meta):
                app_label = "core"
                db_table = "core_test_paper"

    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(Paper)
    yield Paper
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.delete_model(Paper)


def _stored() -> list[str]:
    if not default_storage.exists("test-papers"):
        return []
    return default_storage.listdir("test-papers")[1]


def test_a_file_is_stored_under_an_unguessable_name_with_what_its_content_says(paper, db):
    actor = system_actor()
    record = file_store(
        record=paper(title="判决书"), actor=actor, name="judgment.png", content=PDF, field="file"
    )
    record.refresh_from_db()
    assert (record.content_type, record.extension, record.size) == ("application/pdf", ".pdf", len(PDF))
    assert record.uploaded_by == actor and len(record.token) == 32
    assert record.file.name == f"test-papers/{record.token}.pdf"  # the token, never "judgment.png"
    with record.file.open("rb") as handle:
        assert handle.read() == PDF
    record.file.delete(save=False)


def test_a_file_is_refused_by_its_content_naming_the_field_and_nothing_is_written(paper, db):
    with pytest.raises(DomainError) as refused:
        file_store(
            record=paper(title="照片"),
            actor=system_actor(),
            name="photo.png",
            content=PDF,
            field="photos",
            allowed=IMAGES,
        )
    assert refused.value.field == "photos"
    assert "“photo.png”不是可接受的文件类型（仅限 JPEG、PNG，按文件内容判断）" in refused.value.message
    assert not paper.objects.exists() and _stored() == []


def test_the_file_is_deleted_when_the_transaction_that_stored_it_rolls_back(paper, db):
    actor = system_actor()
    with pytest.raises(RuntimeError), atomic_with_files():
        file_store(record=paper(title="协议"), actor=actor, name="a.png", content=_png(), field="file")
        assert len(_stored()) == 1
        raise RuntimeError("a later write in the same transaction failed")
    assert not paper.objects.exists() and _stored() == []


def test_a_file_stored_in_an_inner_block_is_deleted_when_the_enclosing_one_rolls_back(paper, db):
    actor = system_actor()
    with pytest.raises(RuntimeError), atomic_with_files():
        with atomic_with_files():
            file_store(record=paper(title="协议"), actor=actor, name="a.pdf", content=PDF, field="file")
        assert len(_stored()) == 1
        raise RuntimeError("the enclosing transaction failed")
    assert not paper.objects.exists() and _stored() == []


def test_the_file_is_deleted_when_its_own_row_cannot_be_saved(paper, db):
    actor = system_actor()
    kept = file_store(record=paper(title="同名"), actor=actor, name="a.pdf", content=PDF, field="file")
    with pytest.raises(IntegrityError):
        file_store(record=paper(title="同名"), actor=actor, name="b.pdf", content=PDF, field="file")
    assert _stored() == [kept.file.name.split("/")[-1]]
    kept.file.delete(save=False)


def test_files_stored_by_a_block_that_commits_stay(paper, db):
    actor = system_actor()
    with atomic_with_files():
        record = file_store(
            record=paper(title="通知书"), actor=actor, name="a.pdf", content=PDF, field="file"
        )
    assert paper.objects.filter(pk=record.pk).exists()
    assert _stored() == [record.file.name.split("/")[-1]]
    record.file.delete(save=False)
