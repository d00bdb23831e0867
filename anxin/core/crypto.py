"""Field encryption (AES-256-GCM) and keyed blind indexes for personal data (DESIGN rule 8).

Ciphertext format, base64url: ``v1`` marker byte, 12-byte nonce, ciphertext+tag. The blind
index is HMAC-SHA256 under a key derived from the field key for one purpose (e.g. ``id_number``),
so equal plaintexts can be found by exact match without storing them in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

_VERSION = b"\x01"


def _key() -> bytes:
    return settings.FIELD_ENCRYPTION_KEY


def _index_key(purpose: str) -> bytes:
    return hmac.new(_key(), b"anxin-blind-index:" + purpose.encode(), hashlib.sha256).digest()


def encrypt(plaintext: str, *, context: str = "") -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, plaintext.encode("utf-8"), context.encode() or None)
    return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode("ascii")


def decrypt(token: str, *, context: str = "") -> str:
    raw = base64.urlsafe_b64decode(token.encode("ascii"))
    if raw[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    try:
        return AESGCM(_key()).decrypt(raw[1:13], raw[13:], context.encode() or None).decode("utf-8")
    except InvalidTag:
        raise ValueError("ciphertext does not authenticate under the configured key") from None


def blind_index(value: str, *, purpose: str) -> str:
    """A hex HMAC of the normalised value, for exact-match lookup."""
    return hmac.new(_index_key(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python sees the plaintext.

    The column's ``context`` (bound to the model and field name) is authenticated with the
    ciphertext, so a value copied into another column does not decrypt.
    """

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self._context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, context=self._context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value, context=self._context)

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull"}:
            raise TypeError("加密字段不能按内容查询，请使用盲索引字段")
        return super().get_lookup(lookup_name)
