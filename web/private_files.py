"""The files the portal keeps for itself hold secrets and personal data: the instance folder,
the generated secret key and the SQLite database with its -wal and -shm files. They are for
the owner only (folder 0700, files 0600) from the moment they exist, whatever the umask, and
ones left wider by an earlier version (or by a git checkout, which makes `instance/` 0755)
are tightened at start. Where the process may not change a mode (not its owner), it says so
in the log and goes on."""
from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger("portal")

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def make_private(path: Path, mode: int = FILE_MODE) -> None:
    """Give an existing file or folder exactly `mode`, if it has other rights."""
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass
    except PermissionError:
        log.warning("cannot make %s private (mode %o): it is not this process's to change", path, mode)


def private_folder(path: Path) -> None:
    """The folder, created 0700 (its parents as the umask says), or made 0700."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    make_private(path, FOLDER_MODE)  # mkdir's mode passes through the umask; an existing folder keeps its own


def create_private_file(path: Path) -> bool:
    """Create an empty file 0600 if there is none (True), else make the existing one 0600 (False)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        make_private(path)
        return False
    except FileNotFoundError:
        return False  # no such folder: SQLite says so when it opens the database
    try:
        os.fchmod(fd, FILE_MODE)  # the umask can only have taken rights away; be exact anyway
    finally:
        os.close(fd)
    return True


def secret_in(path: Path) -> str:
    """The secret kept in `path`, generated once. Written to a private temporary file and linked
    into place only when complete, so a process that starts at the same moment reads either
    nothing (and makes its own attempt) or the whole secret, never a half-written one."""
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            os.write(fd, secrets.token_hex(32).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first: its secret is the one
        finally:
            temporary.unlink()
    make_private(path)
    return path.read_text().strip()
