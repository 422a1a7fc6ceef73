"""Looking inside a PDF for what could act on the reader's computer, without rendering or
running anything: script, actions run on opening, programs launched, embedded files,
multimedia and XFA forms.

The scanner reads the file's own syntax (PDF 32000-1 §7.2–7.5) rather than following its
cross-reference table: viewers repair damaged files by scanning for objects, so every
object in the bytes counts — those of earlier revisions and those no table lists. Each
`N G obj` starts an object, read on its own up to the next, as a viewer reads an object
from its offset. Names are compared after decoding their `#xx` escapes (`/J#61vaScript` is
`/JavaScript`). String literals, comments and stream data are skipped, except object
streams (`/Type /ObjStm`, or a stream with the `/N` and `/First` of one), which are inflated
within a budget and their objects read the same way: that is where compressed files keep
their dictionaries. As a second net, the long names are also looked for in every byte of
the file, stream data included.

Refused (`Finding`): the names `/JavaScript`, `/JS`, `/Launch`, `/EmbeddedFile(s)`, `/EF`,
`/RichMedia…`, `/XFA` anywhere; an `/OpenAction` that is an action other than going to a
page of the document (a destination alone is fine: many writers add one); a non-empty `/AA`
(actions on opening a page, on a form field…); an object stream that cannot be read
(encrypted, damaged, filtered other than by Flate) or that inflates beyond the budget; a
nesting deeper than any real file has.
"""

from __future__ import annotations

import enum
import re
import zlib
from typing import Any, NamedTuple

_WHITE = rb"\x00\t\n\x0c\r "
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_TOKEN = re.compile(
    rb"(?:[\x00\t\n\x0c\r ]++|%[^\r\n]*+)*+"  # whitespace and comments before the token
    rb"(?:(?P<dict><<)|(?P<enddict>>>)|(?P<array>\[)|(?P<endarray>\])"
    rb"|/(?P<name>" + _REGULAR + rb"*)"
    rb"|(?P<string>\()"
    rb"|(?P<hex><[^>]*>?)"
    rb"|(?P<int>[+-]?\d{1,19})(?!" + _REGULAR + rb")"  # longer is no number a file needs
    rb"|(?P<word>" + _REGULAR + rb"+)"
    rb"|(?P<stray>[\s\S])|(?P<end>\Z))"
)
_RAW_NAME = re.compile(rb"/(" + _REGULAR + rb"{3,40})")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PAREN = re.compile(rb"[()\\]")
_INT = re.compile(rb"[+-]?\d{1,19}")
_ENDSTREAM = b"endstream"
# "12 0 obj": where an object starts (comments may stand between the parts, as a lexer
# skips them). Possessive, so that it never backtracks (binary data holds "1 0 %%%…").
_GAP = rb"(?:[\x00\t\n\x0c\r ]++|%[^\r\n]*+)++"
_OBJECT_HEADER = re.compile(
    rb"(?<![0-9])(\d{1,10})" + _GAP + rb"\d{1,5}" + _GAP + rb"obj(?!" + _REGULAR + rb")"
)

MAX_DEPTH = 100  # nesting of arrays and dictionaries; real files stay below ten
# Syntax tokens read (outside stream data), all together: a few seconds of work. Real files
# keep most of their bulk in streams and stay far below.
MAX_TOKENS = 3_000_000


class Finding(enum.Enum):
    JAVASCRIPT = "javascript"
    OPEN_ACTION = "open action"
    ADDITIONAL_ACTIONS = "additional actions"
    LAUNCH = "launch"
    EMBEDDED_FILE = "embedded file"
    RICH_MEDIA = "rich media"
    XFA = "xfa"
    UNREADABLE = "unreadable object stream"
    TOO_COMPLEX = "beyond the budget"


_NAMES = {
    b"JavaScript": Finding.JAVASCRIPT,
    b"JS": Finding.JAVASCRIPT,
    b"Launch": Finding.LAUNCH,
    b"EmbeddedFile": Finding.EMBEDDED_FILE,
    b"EmbeddedFiles": Finding.EMBEDDED_FILE,
    b"EF": Finding.EMBEDDED_FILE,
    b"XFA": Finding.XFA,
}
# Long enough that compressed data never holds one by chance (checked in every byte).
_RAW_NAMES = {name: finding for name, finding in _NAMES.items() if len(name) >= 3 and name != b"EF"}
_RICH_MEDIA = b"RichMedia"


class Name(bytes):
    """A PDF name, its escapes decoded."""


class Ref(NamedTuple):
    number: int


class _Found(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


def scan(data: bytes, max_unpacked: int) -> Finding | None:
    """The first reason to refuse the PDF `data`, or None.

    `max_unpacked` bounds the bytes inflated from object streams, all together.
    """
    try:
        _scan_raw(data)
        scanner = _Scanner(max_unpacked)
        scanner.read_file(data)
        scanner.read_object_streams()
        scanner.judge_actions()
    except _Found as found:
        return found.finding
    return None


def _decode_name(raw: bytes) -> Name:
    if b"#" in raw:
        raw = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    return Name(raw)


def _check_name(name: bytes) -> None:
    finding = _NAMES.get(name)
    if finding is None and name.startswith(_RICH_MEDIA):
        finding = Finding.RICH_MEDIA
    if finding is not None:
        raise _Found(finding)


def _scan_raw(data: bytes) -> None:
    for match in _RAW_NAME.finditer(data):
        name = _decode_name(match.group(1))
        finding = _RAW_NAMES.get(name)
        if finding is None and name.startswith(_RICH_MEDIA):
            finding = Finding.RICH_MEDIA
        if finding is not None:
            raise _Found(finding)


def _skip_string(data: bytes, pos: int, end: int) -> int:
    """The position after the literal string whose "(" ends at `pos` (balanced, escapes)."""
    depth = 1
    while depth:
        match = _PAREN.search(data, pos, end)
        if match is None:
            return end
        char, pos = data[match.start()], match.start() + 1
        if char == 0x5C:  # backslash: the next byte is escaped
            pos += 1
        else:
            depth += 1 if char == 0x28 else -1
    return min(pos, end)


class _Scanner:
    """Reads tokens into values (dicts, lists, names, numbers, references), checking every
    name as it goes and keeping what the action rules need.

    Each object is read on its own, from its `N G obj` to the next one, as a viewer reads it
    from its offset: nothing one object leaves open (a string, an array) hides the next.
    """

    def __init__(self, max_unpacked: int) -> None:
        self.budget = max_unpacked
        self.tokens = MAX_TOKENS
        self.objects: dict[int, list[Any]] = {}  # every definition of each object number
        self.object_streams: list[tuple[dict[bytes, Any], bytes]] = []
        self.open_actions: list[Any] = []
        self.additional_actions: list[Any] = []

    # -- reading ---------------------------------------------------------------------------

    def read_file(self, data: bytes) -> None:
        """Every object of the file, each from its header to the next header."""
        starts = [(m.start(), m.end(), int(m.group(1))) for m in _OBJECT_HEADER.finditer(data)]
        first = starts[0][0] if starts else len(data)
        self.read(data, 0, first, None, streams=True)  # the header, or a file without objects
        for i, (_at, body, number) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else len(data)
            self.read(data, body, end, number, streams=True)

    def read_object_streams(self) -> None:
        """Inflate each object stream and read its objects, each between its offset and the
        next (the offsets its header gives); without a usable header, the whole."""
        for header, body in self.object_streams:
            content = self._inflate(header, body)
            first, count = header.get(b"First"), header.get(b"N")
            pairs: list[tuple[int, int]] = []
            if type(first) is int and type(count) is int and 0 <= first <= len(content):
                numbers = [int(w) for w in _INT.findall(content[:first])][: 2 * count]
                pairs = sorted(
                    (first + offset, number)
                    for number, offset in zip(numbers[::2], numbers[1::2], strict=False)
                    if 0 <= first + offset < len(content)
                )
            if not pairs:
                self.read(content, 0, len(content), None, streams=False)
                continue
            for i, (start, number) in enumerate(pairs):
                end = pairs[i + 1][0] if i + 1 < len(pairs) else len(content)
                self.read(content, start, end, number, streams=False)

    def read(self, data: bytes, pos: int, end: int, number: int | None, *, streams: bool) -> None:
        """Read data[pos:end] as (the body of) object `number`; with `streams`, a stream's
        data is skipped (an object stream's kept for later)."""
        stack: list[list[Any]] = []
        last_dict: dict[bytes, Any] = {}
        match_at = _TOKEN.match
        tokens = self.tokens
        while True:
            tokens -= 1
            if tokens < 0:
                raise _Found(Finding.TOO_COMPLEX)
            match = match_at(data, pos, end)
            assert match is not None  # `stray` matches any byte, `end` the end
            kind, pos = match.lastgroup, match.end()
            value: Any = None
            if kind == "int":
                if stack:
                    stack[-1].append(int(match.group(kind)))
                continue
            if kind == "name":
                value = _decode_name(match.group(kind))
                _check_name(value)
            elif kind == "dict" or kind == "array":
                if len(stack) >= MAX_DEPTH:
                    raise _Found(Finding.TOO_COMPLEX)
                stack.append([kind])
                continue
            elif kind == "enddict" or kind == "endarray":
                if not stack or stack[-1][0] != kind[3:]:
                    continue  # unbalanced: ignored, as viewers do
                items = stack.pop()
                del items[0]
                if kind == "enddict":
                    value = last_dict = self._dict(items)
                else:
                    value = items
            elif kind == "string":
                pos = _skip_string(data, pos, end)
            elif kind == "word":
                word = match.group(kind)
                if word == b"stream" and streams:
                    stack.clear()
                    pos = self._stream(data, pos, end, last_dict)
                elif stack:
                    items = stack[-1]
                    if word == b"R" and len(items) >= 3 and _is_int(items[-1], items[-2]):
                        del items[-1]
                        items[-1] = Ref(items[-1])
                    else:
                        items.append(None)
                continue
            elif kind == "end":
                self.tokens = tokens
                return
            elif kind == "stray":
                continue
            # a value: a name, a dictionary, an array, a string
            if stack:
                stack[-1].append(value)
            elif number is not None and isinstance(value, dict | list):
                self.objects.setdefault(number, []).append(value)

    def _dict(self, items: list[Any]) -> dict[bytes, Any]:
        result = {
            bytes(key): value
            for key, value in zip(items[::2], items[1::2], strict=False)
            if isinstance(key, Name)
        }
        if b"OpenAction" in result:
            self.open_actions.append(result[b"OpenAction"])
        if b"AA" in result:
            self.additional_actions.append(result[b"AA"])
        return result

    def _stream(self, data: bytes, pos: int, end: int, header: dict[bytes, Any]) -> int:
        """Skip a stream's data (keeping an object stream's); returns where reading goes on."""
        if data.startswith(b"\r\n", pos):
            pos += 2
        elif data.startswith((b"\n", b"\r"), pos):
            pos += 1
        length = header.get(b"Length")
        by_length = pos + length if type(length) is int and 0 <= length <= end - pos else None
        if by_length is not None and data[by_length : by_length + 32].lstrip(_WHITE).startswith(
            _ENDSTREAM
        ):
            stop = by_length
        else:
            found = data.find(_ENDSTREAM, pos, end)
            stop = found if found >= 0 else by_length if by_length is not None else end
        if _is_object_stream(header):
            self.object_streams.append((header, data[pos:stop]))
        return stop

    def _inflate(self, header: dict[bytes, Any], body: bytes) -> bytes:
        filters = header.get(b"Filter")
        chain = filters if isinstance(filters, list) else [] if filters is None else [filters]
        if any(f != b"FlateDecode" for f in chain) or _has_predictor(header.get(b"DecodeParms")):
            raise _Found(Finding.UNREADABLE)
        for _ in chain:
            inflater = zlib.decompressobj()
            try:
                body = inflater.decompress(body, self.budget + 1)
            except zlib.error:
                raise _Found(Finding.UNREADABLE) from None
            if len(body) > self.budget:
                raise _Found(Finding.TOO_COMPLEX)
        self.budget -= len(body)
        return body

    # -- rules -----------------------------------------------------------------------------

    def judge_actions(self) -> None:
        for value in self.open_actions:
            if any(_acts_on_opening(v) for v in self._resolve(value)):
                raise _Found(Finding.OPEN_ACTION)
        for value in self.additional_actions:
            if any(isinstance(v, dict) and v for v in self._resolve(value)):
                raise _Found(Finding.ADDITIONAL_ACTIONS)

    def _resolve(self, value: Any) -> list[Any]:
        """The value, or every definition of the object it refers to."""
        return self.objects.get(value.number, []) if isinstance(value, Ref) else [value]


def _is_int(*values: Any) -> bool:
    return all(type(v) is int for v in values)


def _is_object_stream(header: dict[bytes, Any]) -> bool:
    return header.get(b"Type") == b"ObjStm" or (b"N" in header and b"First" in header)


def _has_predictor(params: Any) -> bool:
    for p in params if isinstance(params, list) else [params]:
        if isinstance(p, dict) and isinstance(p.get(b"Predictor"), int) and p[b"Predictor"] > 1:
            return True
    return False


def _acts_on_opening(value: Any) -> bool:
    """An action other than going to a page of this document (a destination is no action)."""
    return isinstance(value, dict) and b"S" in value and value[b"S"] != b"GoTo"
