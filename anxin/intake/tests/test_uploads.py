"""Uploads are judged by their content and their size, not their name."""

from __future__ import annotations

import pytest

from anxin.core.errors import DomainError
from anxin.intake.tests.factories import png
from anxin.intake.uploads import IMAGES, MAX_BYTES, sniff


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
        sniff(png() + b"\0" * MAX_BYTES, allowed=IMAGES, field="photos")
