"""Reading a ZIP file's directory (an Office Open XML package is one) to judge what it would
unpack to, without inflating anything.

A "zip bomb" is a small file that unpacks to gigabytes, by a high compression ratio or by
many directory entries pointing at the same compressed data. Both are visible in the
central directory and the local headers: the sizes each entry declares, where its data
lies. `inspect` reads the end record, then every central directory entry (at most
`Limits.parts`), then the 30-byte local header of each, and returns the first problem found.

The sizes are the ones the package declares. A part that inflates to more than it declares
is damaged: Office refuses it (the CRC and the size no longer match), and Python's `zipfile`
stops reading it at the declared size.
"""

from __future__ import annotations

import enum
import re
import struct
from typing import BinaryIO, NamedTuple

from app.evidence.filetypes import MB, Limits

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_CENTRAL_FIXED = struct.Struct("<4s4B4HL2L5H2L")  # 46 bytes
_LOCAL_FIXED = struct.Struct("<4s2B4HL2L2H")  # 30 bytes

# Below this, a part or a package unpacks to too little to matter, whatever its ratio: XML
# parts of a few kilobytes compress far beyond 100:1 and harm nobody.
RATIO_FLOOR = 1 * MB

_STORED, _DEFLATED = 0, 8
# A drive ("C:") or a control character: names no Office package has, and that extractors
# may turn into paths outside the folder they unpack into.
_BAD_NAME = re.compile(r"^[A-Za-z]:|[\x00-\x1f\x7f]")


class Problem(enum.Enum):
    DAMAGED = "damaged"  # no readable directory, or entries that do not add up
    TOO_MANY_PARTS = "too many parts"
    TOO_LARGE = "unpacks beyond the limit"
    RATIO = "compressed beyond the ratio"
    OVERLAP = "entries share their data"
    UNSAFE_NAME = "a part's name leaves the package"
    DUPLICATE = "a part listed twice"
    ENCRYPTED = "a part is encrypted"
    METHOD = "a compression Office never uses"


class Finding(NamedTuple):
    """A problem and what it concerns: a part's name, a count or a size, the limit."""

    problem: Problem
    name: str = ""
    value: int = 0
    limit: int = 0


class _Entry(NamedTuple):
    name: str
    raw_name: bytes
    flags: int
    method: int
    compressed: int
    size: int
    offset: int


def inspect(stream: BinaryIO, limits: Limits) -> Finding | None:
    """The first reason to refuse the ZIP in `stream`, or None; reads headers only."""
    stream.seek(0, 2)
    length = stream.tell()
    try:
        directory = _end_record(stream, length)
        if directory is None:
            return Finding(Problem.DAMAGED)
        count, cd_size, cd_offset = directory
        if count > limits.parts:
            return Finding(Problem.TOO_MANY_PARTS, value=count, limit=limits.parts)
        if cd_offset + cd_size > length:
            return Finding(Problem.DAMAGED)
        stream.seek(cd_offset)
        entries = _central_directory(stream.read(cd_size), count)
        if entries is None:
            return Finding(Problem.DAMAGED)
        return _judge(stream, entries, cd_offset, limits)
    except (struct.error, ValueError, OSError):
        return Finding(Problem.DAMAGED)


def _end_record(stream: BinaryIO, length: int) -> tuple[int, int, int] | None:
    """(entries, central directory size, its offset) from the end of central directory."""
    tail_start = max(0, length - (22 + 0xFFFF))
    stream.seek(tail_start)
    tail = stream.read()
    at = tail.rfind(_EOCD)
    while at >= 0 and at + 22 + struct.unpack_from("<H", tail, at + 20)[0] != len(tail):
        at = tail.rfind(_EOCD, 0, at)  # a signature inside the comment: look further back
    if at < 0:
        return None
    disk, cd_disk, on_disk, count, cd_size, cd_offset = struct.unpack_from("<4H2L", tail, at + 4)
    if disk != 0 or cd_disk != 0 or on_disk != count:
        return None  # split over several disks: not an Office document
    if 0xFFFF in (count,) or 0xFFFFFFFF in (cd_size, cd_offset):
        locator = tail_start + at - 20
        if locator < 0:
            return None
        stream.seek(locator)
        sig, _disk, record, _disks = struct.unpack("<4sLQL", stream.read(20))
        if sig != _ZIP64_LOCATOR:
            return None
        stream.seek(record)
        raw = stream.read(56)
        if raw[:4] != _ZIP64_EOCD:
            return None
        _on_disk64, count, cd_size, cd_offset = struct.unpack_from("<4Q", raw, 24)
    return count, cd_size, cd_offset


def _central_directory(data: bytes, count: int) -> list[_Entry] | None:
    """The entries of the central directory; None unless exactly `count` fill it."""
    entries: list[_Entry] = []
    at = 0
    while at < len(data):
        if len(entries) >= count or data[at : at + 4] != _CENTRAL:
            return None
        fields = _CENTRAL_FIXED.unpack_from(data, at)
        flags, method = fields[5], fields[6]
        compressed, size = fields[10], fields[11]
        name_len, extra_len, comment_len = fields[12], fields[13], fields[14]
        offset = fields[18]
        start = at + _CENTRAL_FIXED.size
        raw_name = data[start : start + name_len]
        extra = data[start + name_len : start + name_len + extra_len]
        size, compressed, offset = _zip64(extra, size, compressed, offset)
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        entries.append(_Entry(name, raw_name, flags, method, compressed, size, offset))
        at = start + name_len + extra_len + comment_len
    return entries if len(entries) == count and at == len(data) else None


def _zip64(extra: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int]:
    """Sizes and offset from the ZIP64 extra field, for those the entry marks 0xFFFFFFFF."""
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, at)
        if tag == 0x0001:
            values = iter(struct.unpack_from(f"<{length // 8}Q", extra, at + 4))
            if size == 0xFFFFFFFF:
                size = next(values)
            if compressed == 0xFFFFFFFF:
                compressed = next(values)
            if offset == 0xFFFFFFFF:
                offset = next(values)
            break
        at += 4 + length
    return size, compressed, offset


def _judge(
    stream: BinaryIO, entries: list[_Entry], cd_offset: int, limits: Limits
) -> Finding | None:
    seen: set[str] = set()
    total = compressed_total = 0
    for entry in entries:
        if entry.flags & 0x1:
            return Finding(Problem.ENCRYPTED, entry.name)
        if entry.method not in (_STORED, _DEFLATED):
            return Finding(Problem.METHOD, entry.name, entry.method)
        if not _safe_name(entry.name):
            return Finding(Problem.UNSAFE_NAME, entry.name)
        folded = entry.name.casefold()  # part names are case-insensitive (ECMA-376 part 2)
        if folded in seen:
            return Finding(Problem.DUPLICATE, entry.name)
        seen.add(folded)
        total += entry.size
        compressed_total += entry.compressed
        if total > limits.unpacked_bytes:
            return Finding(Problem.TOO_LARGE, value=total, limit=limits.unpacked_bytes)
        if entry.size > RATIO_FLOOR and entry.size > limits.ratio * max(entry.compressed, 1):
            return Finding(
                Problem.RATIO, entry.name, _ratio(entry.size, entry.compressed), limits.ratio
            )
    if total > RATIO_FLOOR and total > limits.ratio * max(compressed_total, 1):
        return Finding(Problem.RATIO, "", _ratio(total, compressed_total), limits.ratio)
    return _overlaps(stream, entries, cd_offset)


def _ratio(size: int, compressed: int) -> int:
    return size // max(compressed, 1)


def _safe_name(name: str) -> bool:
    """A relative path of plain segments: no "..", ".", empty segment, root, drive or "\\"."""
    if not name or name.startswith("/") or "\\" in name or _BAD_NAME.search(name):
        return False
    segments = name.split("/")
    if segments[-1] == "":  # a folder entry "word/": its segments before the slash count
        segments = segments[:-1]
    return bool(segments) and all(s not in ("", ".", "..") for s in segments)


def _overlaps(stream: BinaryIO, entries: list[_Entry], cd_offset: int) -> Finding | None:
    """Each entry's local header and data must lie before the next entry and the directory.

    Entries that share compressed data (the "overlapping files" zip bomb) or whose local
    header names another file than the directory does (so that tools disagree about what
    the package holds) are refused.
    """
    ordered = sorted(entries, key=lambda e: e.offset)
    for i, entry in enumerate(ordered):
        stream.seek(entry.offset)
        header = stream.read(_LOCAL_FIXED.size)
        if len(header) < _LOCAL_FIXED.size:
            return Finding(Problem.DAMAGED)
        fields = _LOCAL_FIXED.unpack(header)
        if fields[0] != _LOCAL:
            return Finding(Problem.DAMAGED)
        name_len, extra_len = fields[10], fields[11]
        if stream.read(name_len) != entry.raw_name:
            return Finding(Problem.DAMAGED)
        end = entry.offset + _LOCAL_FIXED.size + name_len + extra_len + entry.compressed
        following = ordered[i + 1].offset if i + 1 < len(ordered) else cd_offset
        if end > following:
            return Finding(Problem.OVERLAP, entry.name)
    return None
