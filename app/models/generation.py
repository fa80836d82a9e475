"""The one row whose number every committed write moves on (see app.generation)."""

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class DataGeneration(db.Model):
    __tablename__ = "data_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
