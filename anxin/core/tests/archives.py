"""Crafted .xlsx archives for the decompression-bomb tests (built in the test, never shipped).

``xlsx_bomb`` is a real workbook openpyxl opens, whose ``xl/sharedStrings.xml`` holds ``expands_to``
bytes of tiny shared strings: deflate packs them about a thousand to one, so a file of a few
hundred KB asks the reader for hundreds of MB (issue #13 finding 3: 503 KB → 500 MB).
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile

import openpyxl

SHARED_STRINGS = "xl/sharedStrings.xml"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _base(headers: tuple[str, ...]) -> zipfile.ZipFile:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headers))
    buffer = io.BytesIO()
    book.save(buffer)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


@functools.cache
def xlsx_bomb(expands_to: int = 200 * 1024 * 1024, headers: tuple[str, ...] = ("统一社会信用代码",)) -> bytes:
    """A workbook whose shared-strings part inflates to about ``expands_to`` bytes."""
    source = _base(headers)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/{SHARED_STRINGS}" ContentType="{_SST_TYPE}"/></Types>'.encode(),
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdBomb" Type="{_SST_REL}" Target="sharedStrings.xml"/></Relationships>'.encode(),
                )
            archive.writestr(info.filename, data)
        chunk = b"<si><t>a</t></si>" * 65536
        with archive.open(SHARED_STRINGS, "w") as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?>')
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(max(1, expands_to // len(chunk))):
                part.write(chunk)
            part.write(b"</sst>")
    return out.getvalue()


def declared_size(content: bytes, member: str) -> int:
    return zipfile.ZipFile(io.BytesIO(content)).getinfo(member).file_size


def lie_about_size(content: bytes, member: str, declared: int) -> bytes:
    """The same archive with ``member``'s uncompressed size in the central directory set to
    ``declared`` (a forger's trick to slip past a size check that trusts the directory)."""
    data = bytearray(content)
    name = member.encode()
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        name_length = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == name:
            break
        at += 4
    extra_length = struct.unpack("<H", data[at + 30 : at + 32])[0]
    if struct.unpack("<I", data[at + 24 : at + 28])[0] == 0xFFFFFFFF:
        # zip64: the real size sits in the extra field (header id 1: uncompressed, compressed, …)
        extra = at + 46 + name_length
        end = extra + extra_length
        while extra < end:
            tag, size = struct.unpack("<HH", data[extra : extra + 4])
            if tag == 1:
                data[extra + 4 : extra + 12] = struct.pack("<Q", declared)
                break
            extra += 4 + size
    else:
        data[at + 24 : at + 28] = struct.pack("<I", declared)
    return bytes(data)


def with_many_members(count: int) -> bytes:
    """A small archive of ``count`` empty members (a directory that would cost memory to list)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(count):
            archive.writestr(f"x/{n}.xml", b"")
    return out.getvalue()


def with_method(method: int, size: int = 2 * 1024 * 1024) -> bytes:
    """A one-member archive compressed with ``method`` (bzip2 and lzma inflate in unbounded steps)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr("xl/workbook.xml", b"a" * size)
    return out.getvalue()
