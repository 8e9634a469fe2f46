"""casadmin-ejemplo: an example third-party rule plugin (F2). FICTIONAL rules, for illustration.

It shows the two ways an institution adapts an installed bases version without
copying it:

* **a rule of its own**: the plugin ``ejemplo.bonificacion_frontera``
  (:mod:`casadmin_ejemplo.bonificacion_frontera`), a "bonificación por servicio
  en zona de frontera" of 5 % of the final score, added to the version's plugin
  list next to SUNEDU's bonuses (§4.3);
* **a different parameter**: ``entrevista.cupo_base`` = 3 instead of 5
  (§4.2.4: the Aptos with the highest accumulated scores called to the
  interview), merged over SUNEDU's parameters with
  :meth:`casadmin.engine.params.Parametros.con`.

The result is the bases version ``sunedu-2026-ejemplo``, derived from the
installed ``sunedu-2026`` with :meth:`casadmin.engine.bases.BasesVersion.derivada`.
SUNEDU's own version is untouched: a call pinned to ``sunedu-2026`` never runs
this package's plugins, installed or not.
"""

from __future__ import annotations

from collections.abc import Sequence

from casadmin.engine.bases import BasesVersion, parametros_de_paquete
from casadmin.hookspecs import hookimpl
from casadmin_sunedu import bases_sunedu_2026

BASES_ID = "sunedu-2026-ejemplo"
#: The plugin (entry point name) this package adds to SUNEDU's list.
BONIFICACION = "ejemplo.bonificacion_frontera"


def bases_sunedu_2026_ejemplo() -> BasesVersion:
    """SUNEDU 2026 plus the border-zone bonus, with a shortlist of 3 (fictional example)."""
    sunedu = bases_sunedu_2026()
    return sunedu.derivada(
        id=BASES_ID,
        nombre="Bases SUNEDU 2026 – variante de ejemplo (ficticia): bonificación por zona de frontera y "
               "cupo de entrevista de 3",
        plugins=(*sunedu.plugins, BONIFICACION),
        parametros=sunedu.parametros.con(parametros_de_paquete("casadmin_ejemplo")),
        fuente="plugins/casadmin-ejemplo/README.md",
        notas=(
            "Ejemplo ficticio de plugin externo: no corresponde a las bases de ninguna entidad.",
            "Cambia entrevista.cupo_base de 5 a 3 y agrega la bonificación por servicio en zona de frontera (5 %).",
        ),
    )


@hookimpl
def casadmin_bases_versions() -> Sequence[BasesVersion]:
    """Declare ``sunedu-2026-ejemplo``."""
    return [bases_sunedu_2026_ejemplo()]
