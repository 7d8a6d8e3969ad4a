"""Township structure: administrative villages, villager groups, natural villages, grids."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanpin_desktop.models.base import Audited, Base


class Village(Audited, Base):
    """行政村."""

    __tablename__ = "villages"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str | None] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_poverty_village: Mapped[bool] = mapped_column(default=False)  # 脱贫村
    committee_phone: Mapped[str | None] = mapped_column(String(30))  # 村委会电话 on notices

    groups: Mapped[list[VillageGroup]] = relationship(
        back_populates="village", cascade="all, delete-orphan", order_by="VillageGroup.sort_order"
    )
    natural_villages: Mapped[list[NaturalVillage]] = relationship(
        back_populates="village", cascade="all, delete-orphan", order_by="NaturalVillage.sort_order"
    )
    grids: Mapped[list[Grid]] = relationship(back_populates="village", cascade="all, delete-orphan")


class VillageGroup(Audited, Base):
    """村民小组."""

    __tablename__ = "village_groups"
    __table_args__ = (UniqueConstraint("village_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    sort_order: Mapped[int] = mapped_column(default=0)

    village: Mapped[Village] = relationship(back_populates="groups")


class NaturalVillage(Audited, Base):
    """自然村."""

    __tablename__ = "natural_villages"
    __table_args__ = (UniqueConstraint("village_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    sort_order: Mapped[int] = mapped_column(default=0)

    village: Mapped[Village] = relationship(back_populates="natural_villages")


class Grid(Audited, Base):
    """网格 with its grid worker (网格员)."""

    __tablename__ = "grids"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    worker_name: Mapped[str | None] = mapped_column(String(40))
    worker_phone: Mapped[str | None] = mapped_column(String(20))
    trained: Mapped[bool] = mapped_column(default=False)

    village: Mapped[Village] = relationship(back_populates="grids")
