"""Decode a Markdown file and split its lines into the front matter block and the body.

Lines are counted as Markdown and editors count them, so that every finding's line
number is the one the author sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .problem import Problem


@dataclass(slots=True)
class Split:
    lines: list[str]
    fm_start: int = 0  # 1-based line of the opening '---' (0: none)
    fm_end: int = 0  # 1-based line of the closing '---'
    body_start: int = 1
    problems: list[Problem] = field(default_factory=list)


def split_lines(text: str) -> list[str]:
    """Lines as Markdown (CommonMark) and editors count them: ended by LF, CR LF or CR.

    Not `str.splitlines`, which also breaks at form feeds, U+2028 and other characters
    no editor starts a new line at, and would put findings on the wrong lines.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final line ending ends the last line, it starts none
    return lines


def decode(raw: bytes) -> tuple[str | None, Problem | None]:
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    raw = raw[bom:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as err:
        before = split_lines(raw[: err.start].decode("utf-8") + "|")  # valid up to the bad byte
        line, col = len(before), len(before[-1])  # the "|" stands for the bad byte
        return None, Problem(
            "encoding",
            line,
            col,
            f"the file is not UTF-8 (byte 0x{raw[err.start]:02x} at offset {bom + err.start})",
            "save the file as UTF-8",
        )


def split(text: str) -> Split:
    lines = split_lines(text)
    out = Split(lines=lines)
    if not text.strip():
        out.problems.append(
            Problem("front-matter", 1, 1, "the file is empty", "start from `pmkb new` or a template in templates/")
        )
        return out
    first = lines[0].rstrip()
    if first != "---":
        out.problems.append(
            Problem(
                "front-matter",
                1,
                1,
                "no front matter: this is not a postmortem",
                "start the file with a `---` line, the YAML front matter and a closing `---` (see `pmkb new`), "
                "or move non-postmortem pages out of the postmortems folder",
            )
        )
        return out
    for i in range(1, len(lines)):
        stripped = lines[i].rstrip()
        if stripped in ("---", "..."):
            out.fm_start, out.fm_end, out.body_start = 1, i + 1, i + 2
            return out
    out.problems.append(
        Problem(
            "front-matter",
            1,
            1,
            "the front matter opened on line 1 is never closed",
            "add a line `---` after the last front-matter field",
        )
    )
    return out
