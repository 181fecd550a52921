"""The app of one `engram serve --workers N` process.

uvicorn's supervisor starts the workers; if the supervisor is killed (kill -9, the OOM killer), the workers
would live on as orphans holding the port, so a restarted `engram serve` could not bind it and clients would
keep talking to processes nobody manages. Each worker therefore asks Linux to kill it when its parent dies."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys

from starlette.applications import Starlette

from engram.api.app import app_from_environment

log = logging.getLogger("engram.api")

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    except OSError:
        log.warning("this worker cannot ask to die with its supervisor; kill the whole process group to stop it")
        return
    if os.getppid() != parent:  # the supervisor died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


def supervised_app() -> Starlette:
    die_with_parent()
    return app_from_environment()
