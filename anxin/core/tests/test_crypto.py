"""Personal data at rest (DESIGN rule 8): AES-GCM columns bound to their place, blind indexes."""

from __future__ import annotations

import base64
import os

import pytest
from django.db import connection
from django.test import override_settings

from anxin.core.audit import system_actor
from anxin.core.crypto import blind_index, decrypt, encrypt
from anxin.core.validators import id_check_digit
from anxin.registry.models import Worker
from anxin.registry.services import worker_create, worker_find_by_id_number
from anxin.registry.tests.factories import enterprise


def valid_id(first17: str = "32041119900118123") -> str:
    return first17 + id_check_digit(first17)


ID_NUMBER = valid_id()  # 320411199001181234
ID_CONTEXT = "registry.worker.id_number"


def _raw_columns(worker: Worker) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, phone FROM {Worker._meta.db_table} WHERE id = %s",  # noqa: S608
            [worker.pk],
        )
        return cursor.fetchone()


@pytest.fixture
def worker(district):
    return worker_create(
        actor=system_actor(),
        employer=enterprise(town="luoxi"),
        name="李四",
        id_number=ID_NUMBER,
        phone="13812345678",
    )


# --- the primitives --------------------------------------------------------------------------


def test_encrypt_then_decrypt_gives_the_plaintext_back():
    assert decrypt(encrypt(ID_NUMBER)) == ID_NUMBER


def test_round_trip_keeps_chinese_text():
    text = "江苏省常州市新北区罗溪镇某村12号 张三"
    assert decrypt(encrypt(text, context="x.y.z"), context="x.y.z") == text


def test_the_same_plaintext_encrypts_differently_each_time():
    assert encrypt(ID_NUMBER) != encrypt(ID_NUMBER)


def test_ciphertext_does_not_contain_the_plaintext():
    assert ID_NUMBER not in encrypt(ID_NUMBER)


def test_ciphertext_under_another_context_does_not_decrypt():
    token = encrypt(ID_NUMBER, context=ID_CONTEXT)
    with pytest.raises(ValueError):
        decrypt(token, context="registry.worker.phone")


def test_tampered_ciphertext_raises_value_error():
    raw = bytearray(base64.urlsafe_b64decode(encrypt(ID_NUMBER, context=ID_CONTEXT)))
    raw[-1] ^= 0x01
    with pytest.raises(ValueError):
        decrypt(base64.urlsafe_b64encode(bytes(raw)).decode(), context=ID_CONTEXT)


def test_ciphertext_with_an_unknown_version_raises_value_error():
    raw = bytearray(base64.urlsafe_b64decode(encrypt(ID_NUMBER)))
    raw[0] = 0x02
    with pytest.raises(ValueError):
        decrypt(base64.urlsafe_b64encode(bytes(raw)).decode())


def test_another_key_cannot_decrypt():
    token = encrypt(ID_NUMBER, context=ID_CONTEXT)
    with override_settings(FIELD_ENCRYPTION_KEY=os.urandom(32)), pytest.raises(ValueError):
        decrypt(token, context=ID_CONTEXT)


def test_blind_index_is_deterministic():
    assert blind_index(ID_NUMBER, purpose="id_number") == blind_index(ID_NUMBER, purpose="id_number")


def test_blind_index_differs_by_purpose():
    assert blind_index("13812345678", purpose="id_number") != blind_index("13812345678", purpose="phone")


def test_blind_index_differs_by_key():
    index = blind_index(ID_NUMBER, purpose="id_number")
    with override_settings(FIELD_ENCRYPTION_KEY=os.urandom(32)):
        assert blind_index(ID_NUMBER, purpose="id_number") != index


def test_blind_index_is_not_the_plaintext():
    assert ID_NUMBER not in blind_index(ID_NUMBER, purpose="id_number")


# --- the encrypted column --------------------------------------------------------------------


def test_worker_reads_back_the_plaintext(worker):
    fresh = Worker.objects.get(pk=worker.pk)
    assert fresh.id_number == ID_NUMBER
    assert fresh.phone == "13812345678"


def test_the_raw_column_holds_ciphertext_not_the_plaintext(worker):
    id_column, phone_column = _raw_columns(worker)
    assert id_column != ID_NUMBER
    assert phone_column != "13812345678"
    assert decrypt(id_column, context=ID_CONTEXT) == ID_NUMBER


def test_a_ciphertext_copied_into_another_column_does_not_decrypt(worker):
    id_column, _phone = _raw_columns(worker)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Worker._meta.db_table} SET phone = %s WHERE id = %s",  # noqa: S608
            [id_column, worker.pk],
        )
    with pytest.raises(ValueError):
        Worker.objects.get(pk=worker.pk)


@pytest.mark.parametrize(
    "lookup", ["id_number", "id_number__exact", "id_number__icontains", "phone__startswith"]
)
def test_filtering_on_an_encrypted_field_raises_type_error(worker, lookup):
    with pytest.raises(TypeError):
        list(Worker.objects.filter(**{lookup: ID_NUMBER}))


def test_an_empty_encrypted_field_stays_empty(district):
    worker = worker_create(actor=system_actor(), employer=enterprise(), name="王五")
    assert _raw_columns(worker) == ("", "")
    assert Worker.objects.get(pk=worker.pk).id_number == ""


def test_worker_is_found_by_id_number_through_the_blind_index(worker, office):
    assert list(worker_find_by_id_number(user=office, id_number=ID_NUMBER)) == [worker]


def test_worker_lookup_normalises_the_number_typed(worker, office):
    spaced = f" {ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]} "
    assert list(worker_find_by_id_number(user=office, id_number=spaced)) == [worker]


def test_worker_of_a_town_is_found_by_that_town(worker, luoxi):
    assert list(worker_find_by_id_number(user=luoxi, id_number=ID_NUMBER)) == [worker]


def test_worker_outside_the_users_scope_is_not_found(worker, xuejia):
    assert not worker_find_by_id_number(user=xuejia, id_number=ID_NUMBER).exists()


def test_masked_id_number_shows_first_four_and_last_four(worker):
    assert ID_NUMBER.endswith("1234")
    assert worker.id_number_masked == "3204**********1234"


def test_masked_phone_hides_the_middle(worker):
    assert worker.phone_masked == "138****5678"
