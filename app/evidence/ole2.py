"""Reading a compound file (OLE2, the container of legacy Word, Excel and PowerPoint files)
just far enough to list the entries of its root storage, which say what the file holds.

Only the header, the FAT and the directory are read; every sector number is checked against
the file's size and every chain is bounded, so a crafted file raises ValueError (or
struct.error, IndexError) instead of looping or reading out of range.
"""

from __future__ import annotations

import struct

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENDOFCHAIN = 0xFFFFFFFE
_MAXREGSECT = 0xFFFFFFFA


def root_names(data: bytes) -> set[str]:
    """Lower-cased names of the entries directly in a compound file's root storage."""
    if len(data) < 512 or data[:8] != OLE2_MAGIC:
        raise ValueError("not a compound file")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    sector = 1 << shift
    n_sectors = max(0, (len(data) - sector) // sector + 1)
    fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", data, 0x44)

    def at(sid: int) -> int:
        if sid > _MAXREGSECT or sid >= n_sectors:
            raise ValueError("sector out of range")
        return (sid + 1) * sector

    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s <= _MAXREGSECT]
    sid, seen = first_difat, 0
    while difat_count and sid <= _MAXREGSECT and seen < difat_count:
        entries = struct.unpack_from(f"<{sector // 4}I", data, at(sid))
        fat_sectors.extend(s for s in entries[:-1] if s <= _MAXREGSECT)
        sid, seen = entries[-1], seen + 1
    fat_sectors = fat_sectors[:fat_count] if fat_count else fat_sectors
    fat: list[int] = []
    for s in fat_sectors:
        fat.extend(struct.unpack_from(f"<{sector // 4}I", data, at(s)))

    directory = bytearray()
    sid, steps = first_dir, 0
    while sid != _ENDOFCHAIN:
        if steps > n_sectors or sid >= len(fat):
            raise ValueError("broken directory chain")
        start = at(sid)
        directory += data[start : start + sector]
        sid, steps = fat[sid], steps + 1

    def entry(i: int) -> tuple[str, int, int, int, int]:
        off = i * 128
        if off + 128 > len(directory):
            raise ValueError("directory entry out of range")
        name_len = struct.unpack_from("<H", directory, off + 0x40)[0]
        name = bytes(directory[off : off + max(0, min(name_len, 64) - 2)]).decode(
            "utf-16-le", "replace"
        )
        kind = directory[off + 0x42]
        left, right, child = struct.unpack_from("<III", directory, off + 0x44)
        return name, kind, left, right, child

    _root_name, root_kind, _l, _r, child = entry(0)
    if root_kind != 5:
        raise ValueError("no root entry")
    names: set[str] = set()
    pending, visited = [child], set()
    while pending:
        i = pending.pop()
        if i > _MAXREGSECT or i in visited:
            continue
        visited.add(i)
        if len(visited) > 100_000:
            raise ValueError("directory too large")
        name, kind, left, right, _child = entry(i)
        if kind in (1, 2):
            names.add(name.lower())
        pending.extend((left, right))
    return names
