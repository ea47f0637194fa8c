"""Opening a file that may be hostile: regular files only, never more than a size limit read.

The one place the runtime (bundle, `knollm tokens count --file`) and the compiler (snapshots, providers.csv,
authored TOML files; it imports this module, the runtime never imports the compiler) open input files.

- Symlinks are followed; a broken symlink or a symlink loop is refused with that reason.
- Only regular files are read: a directory, FIFO, socket or device (`/dev/zero`) is refused before opening.
- The file is opened with `O_NONBLOCK`, so a FIFO swapped in after the check cannot block the open, and the open
  descriptor is checked again (`fstat`): what was checked is what is read.
- At most `max_bytes + 1` bytes are ever read, so a file that grows (or lies about its size) cannot exhaust
  memory; a larger file is refused, naming the limit and how to raise it.

Every failure is an `UnsafeFile` with a reason a person can act on; no `OSError` escapes.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

DEFAULT_MAX_FILE_MB = 256
"""Default size limit per file, in MiB. The largest real listing is 2 MiB and the full bundle about 10 MiB
(2026-11); a generated 100k-model listing stays far below too, while `/dev/zero` or a runaway file is stopped."""
MAX_FILE_MB_LIMIT = 1_048_576
"""The largest limit one may configure (1 TiB): beyond it the limit stops being one."""
ENV_VAR = "KNOLLM_MAX_FILE_MB"
"""Environment variable that sets the runtime's limit (MiB); the compiler takes `--max-file-mb`."""
MIB = 1024 * 1024

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


class UnsafeFile(Exception):
    """A file that cannot be read safely. `str()` is the reason; `path` names the file; `missing` is true when
    nothing at all is at the path (so callers that treat an absent file as "no data" can tell)."""

    def __init__(self, path: str | os.PathLike[str], reason: str, *, missing: bool = False) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        self.missing = missing
        super().__init__(reason)


def read_bytes(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The whole content of the regular file at `path`, refusing anything else and anything over `max_bytes`."""
    size = _check(path, _stat(path, os.stat), max_bytes)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise UnsafeFile(path, _os_reason(exc)) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            size = _check(path, _stat(handle.fileno(), os.fstat), max_bytes)  # what is open, not what was named
            data = handle.read(size + 1)  # one read for a file of known size; +1 sees growth past it
            if len(data) > size and len(data) <= max_bytes:  # grew, or its size is not known (/proc files say 0)
                data += handle.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise UnsafeFile(path, _os_reason(exc)) from None
    if len(data) > max_bytes:
        raise UnsafeFile(path, _too_large(max_bytes))
    return data


def open_regular(path: str | os.PathLike[str], max_bytes: int) -> tuple[int, int]:
    """(descriptor, size) of the regular file at `path`, opened for reading; the same checks as `read_bytes`.
    The caller closes the descriptor."""
    _check(path, _stat(path, os.stat), max_bytes)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise UnsafeFile(path, _os_reason(exc)) from None
    try:
        return fd, _check(path, _stat(fd, os.fstat), max_bytes)  # what is open, not what was named
    except UnsafeFile:
        os.close(fd)
        raise


def read_text(path: str | os.PathLike[str], max_bytes: int) -> str:
    """The file as UTF-8 text (a leading byte order mark, as Excel writes, is dropped)."""
    return decode_utf8(path, read_bytes(path, max_bytes))


def decode_utf8(path: str | os.PathLike[str], data: bytes) -> str:
    """`data` as UTF-8 without a byte order mark; invalid bytes are an `UnsafeFile` naming line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnsafeFile(path, f"invalid UTF-8 at line {line}, column {column} "
                               f"(byte 0x{data[exc.start]:02x}); save the file as UTF-8") from None


def mb_to_bytes(text: str) -> int:
    """A size limit in MiB (`256`, `0.5`) -> bytes; `ValueError` with a usable message when it is not one."""
    try:
        megabytes = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        megabytes = Decimal("NaN")
    if not megabytes.is_finite() or not 0 < megabytes <= MAX_FILE_MB_LIMIT:
        raise ValueError(f"a file size limit must be a number of MiB above 0 and at most {MAX_FILE_MB_LIMIT}, "
                         f"not {text!r}")
    return max(1, int(megabytes * MIB))


def configured_max_bytes(environ: Mapping[str, str] = os.environ) -> int:
    """The runtime's limit: `$KNOLLM_MAX_FILE_MB`, else `DEFAULT_MAX_FILE_MB`. `ValueError` when it is invalid."""
    value = environ.get(ENV_VAR)
    if value is None or not value.strip():
        return DEFAULT_MAX_FILE_MB * MIB
    try:
        return mb_to_bytes(value)
    except ValueError as exc:
        raise ValueError(f"{ENV_VAR}: {exc}") from None


def _stat(target: str | os.PathLike[str] | int, stat_call: Callable[..., os.stat_result]) -> os.stat_result:
    try:
        return stat_call(target)
    except OSError as exc:
        if exc.errno == errno.ENOENT and not isinstance(target, int):
            if os.path.islink(target):
                raise UnsafeFile(target, f"a broken symlink (it points to {os.readlink(target)!r}, which does "
                                         "not exist)") from None
            raise UnsafeFile(target, "no such file", missing=True) from None
        raise UnsafeFile(str(target), _os_reason(exc)) from None


def _check(path: str | os.PathLike[str], status: os.stat_result, max_bytes: int) -> int:
    """The file's size, once it is known to be a regular file within the limit."""
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a regular file")
        raise UnsafeFile(path, f"{kind}, not a regular file; only regular files are read")
    if status.st_size > max_bytes:
        raise UnsafeFile(path, _too_large(max_bytes, status.st_size))
    return status.st_size


def _too_large(max_bytes: int, size: int | None = None) -> str:
    actual = f" ({_size(size)})" if size is not None else ""
    return (f"larger than the {_size(max_bytes)} limit{actual}; raise it with --max-file-mb (knollm-build) "
            f"or {ENV_VAR} (runtime) if the file is genuine")


def _size(count: int) -> str:
    return f"{count / MIB:.4g} MiB" if count >= MIB else f"{count:,} bytes"


def _os_reason(exc: OSError) -> str:
    reasons = {errno.ELOOP: "a symlink loop (the link points back to itself)", errno.EACCES: "permission denied",
               errno.EISDIR: "a directory, not a regular file", errno.ENOTDIR: "a path part is not a directory",
               errno.ENAMETOOLONG: "the path is too long"}
    return reasons.get(exc.errno or 0, f"cannot read: {exc.strerror or exc}")
