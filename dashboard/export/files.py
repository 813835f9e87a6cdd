"""Safe file writes: check that a path can be written before rendering, write through a
temporary file and rename (never a partial file), and remove what a failed batch wrote."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from dashboard.export.errors import ExportError


def check_writable(path: Path) -> None:
    """Fail before rendering when `path` cannot be written (its folder must exist): a probe file
    is created in the folder and removed again, which also catches read-only file systems."""
    folder = path.parent
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"cannot write {path}: {folder} is not a folder")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist")
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: never a partial file."""
    check_writable(path)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, _file_mode(path))
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from None


def _file_mode(path: Path) -> int:
    """The mode a plain write would give: the old file's, else 0o666 less the umask."""
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o777
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_files(files: dict[Path, bytes]) -> list[str]:
    """Write every file (making missing folders) or, when one fails, remove those this call
    wrote and fail."""
    written: list[Path] = []
    try:
        for path, data in files.items():
            if not path.parent.is_dir():
                try:
                    path.parent.mkdir(parents=True)
                except OSError as error:
                    raise ExportError(
                        f"cannot create folder {path.parent}: {error.strerror or error}"
                    ) from None
            write_atomic(path, data)
            written.append(path)
    except ExportError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return [str(p) for p in written]
