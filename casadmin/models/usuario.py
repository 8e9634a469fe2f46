"""FAB's user, extended with the institution a staff member works for (A1, A2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Mapped, mapped_column, relationship

if TYPE_CHECKING:
    from casadmin.models.entidad import Entidad


class Usuario(User):
    """A login. Staff (ORH, Comité, Veedor) belong to one institution; applicants to none."""

    __tablename__ = "ab_user"

    entidad_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("entidad.id", ondelete="RESTRICT", use_alter=True, name="fk_ab_user_entidad_id"),
        index=True,
        nullable=True,
    )
    entidad: Mapped[Optional["Entidad"]] = relationship("Entidad", foreign_keys=[entidad_id])
