"""gunicorn config for ``benchmarks/postular.py --perfil FILE``: cProfile of the first worker's requests.

Each request thread gets its own profiler (cProfile sees one thread only), timed by the
thread's CPU clock (a wall-clock profile of a loaded machine shows mostly waiting), enabled
in ``pre_request`` and disabled in ``post_request``; the worker merges them into
``CASADMIN_BENCH_PERFIL`` when it exits. The forked PDF checkers are not in it.
"""

import cProfile
import os
import pstats
import threading
import time

_perfiles: dict[int, cProfile.Profile] = {}
_activo = {"si": False}


def post_fork(server, worker):
    _activo["si"] = worker.age == 1


def pre_request(worker, req):
    if _activo["si"]:
        prof = _perfiles.setdefault(threading.get_ident(), cProfile.Profile(time.thread_time))
        prof.enable()


def post_request(worker, req, environ, resp):
    if _activo["si"]:
        _perfiles[threading.get_ident()].disable()


def worker_exit(server, worker):
    if not _activo["si"] or not _perfiles:
        return
    perfiles = list(_perfiles.values())
    stats = pstats.Stats(perfiles[0])
    for p in perfiles[1:]:
        stats.add(p)
    stats.dump_stats(os.environ["CASADMIN_BENCH_PERFIL"])
