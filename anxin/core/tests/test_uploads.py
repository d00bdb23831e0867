"""Uploads are judged by their content and their size, not their name."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from anxin.core.errors import DomainError
from anxin.core.uploads import IMAGES, MAX_BYTES, PHOTOS, heif_type, sniff


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_file_of_exactly_5_mb_is_accepted():
    content = b"%PDF-1.7\n" + b"0" * (MAX_BYTES - 9)
    assert sniff(content) == ("application/pdf", ".pdf")


def test_a_file_one_byte_over_5_mb_is_refused_in_chinese_naming_the_field():
    content = b"%PDF-1.7\n" + b"0" * (MAX_BYTES - 8)
    with pytest.raises(DomainError) as refused:
        sniff(content, field="scan", name="报告.pdf")
    assert refused.value.field == "scan"
    assert refused.value.message == "“报告.pdf”超过 5 MB，请压缩后再上传"


def test_the_size_is_checked_before_the_image_is_decoded():
    with pytest.raises(DomainError, match="超过 5 MB"):
        sniff(_png() + b"\0" * MAX_BYTES, allowed=IMAGES, field="photos")


# --- iPhone photos (HEIC/HEIF): taken by their container's structure, never decoded --------------

IPHONE_HEIC = (Path(__file__).parent / "fixtures" / "iphone-64px.heic").read_bytes()  # heif-enc, 64×64


def _box(kind: bytes, body: bytes) -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def test_a_real_heic_photo_is_recognised_by_its_ftyp_brand_and_its_boxes():
    assert IPHONE_HEIC[4:12] == b"ftypheic"
    assert heif_type(IPHONE_HEIC) == ("image/heic", ".heic")
    assert sniff(IPHONE_HEIC, allowed=PHOTOS, field="photos", name="IMG_0001.HEIC") == ("image/heic", ".heic")


def test_a_generic_mif1_heif_is_taken_as_heif():
    content = _box(b"ftyp", b"mif1\0\0\0\0mif1") + _box(b"meta", b"\0" * 12) + _box(b"mdat", b"x" * 20)
    assert sniff(content, allowed=PHOTOS) == ("image/heif", ".heif")


def test_a_truncated_heic_is_refused_as_damaged_naming_the_file():
    with pytest.raises(DomainError) as refused:
        sniff(IPHONE_HEIC[:200], allowed=PHOTOS, field="photos", name="IMG_0002.HEIC")
    assert refused.value.field == "photos"
    assert refused.value.message == "“IMG_0002.HEIC”已损坏或不是有效的图片"


def test_a_heif_file_without_its_meta_box_is_not_taken():
    content = _box(b"ftyp", b"heic\0\0\0\0mif1heic") + _box(b"mdat", b"x" * 20)
    assert heif_type(content) is None


def test_an_avif_sharing_the_mif1_brand_is_not_taken_for_a_heif():
    content = _box(b"ftyp", b"avif\0\0\0\0mif1miaf") + _box(b"meta", b"\0" * 12)
    assert heif_type(content) is None
    with pytest.raises(DomainError, match="仅限 JPEG、PNG、HEIC、HEIF"):
        sniff(content, allowed=PHOTOS)


def test_heic_is_refused_where_only_documents_are_taken_and_the_message_says_which_are():
    with pytest.raises(DomainError) as refused:
        sniff(IPHONE_HEIC, field="attachments", name="IMG_0001.HEIC")
    assert (
        refused.value.message == "“IMG_0001.HEIC”不是可接受的文件类型（仅限 JPEG、PNG、PDF，按文件内容判断）"
    )
