"""View operations: named sets of client networks (docs/selection.md step 1).

Every write re-checks the whole set of views with :func:`make_views`, so an overlap with any
other view is refused with both networks named. A view's networks decide which clients get
its answers, not what a zone holds, so a view change writes a change row without serial bumps;
removing a view still used by pool members or records is refused.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dnsd.domain.errors import Conflict, InvalidInput, NotFound, Reason
from dnsd.domain.views import View, make_views
from dnsd.store.base import StoreBase, pool_key
from dnsd.store.lines import read_member_states
from dnsd.store.tables import PoolAddressRow, PoolRow, RecordRow, ViewRow


def view_from_row(row: ViewRow) -> View:
    return View(row.name, tuple(row.networks or ()))


def view_dict(view: View, description: str = "") -> dict[str, object]:
    return {"name": view.name, "networks": list(view.networks), "description": description}


def _checked(session: Session, name: str, networks: list[str], skip: str | None = None) -> View:
    """The view ``name`` with ``networks``, validated against every other stored view. Field
    names in reasons are ``name`` and ``networks.N`` (the new view's)."""
    others = [r for r in session.scalars(select(ViewRow).order_by(ViewRow.id)) if r.name != skip]
    definitions = [(name, networks)] + [(r.name, list(r.networks)) for r in others]
    try:
        return make_views(definitions)[0]
    except InvalidInput as exc:
        # stored views never overlap each other, so every reason is about the new one (index 0,
        # or an overlap reported from the other view's side, which names both views)
        raise InvalidInput([Reason(_field(r.field), r.message) for r in exc.reasons]) from None


def _field(field: str) -> str:
    if field.startswith("views.0."):
        return field.removeprefix("views.0.")
    return "networks" if field.startswith("views.") else field


class ViewOps(StoreBase):
    def list_views(self) -> list[View]:
        with self.read() as session:
            return [view_from_row(r) for r in session.scalars(select(ViewRow).order_by(ViewRow.name))]

    def view_descriptions(self) -> dict[str, str]:
        with self.read() as session:
            return {r.name: r.description for r in session.scalars(select(ViewRow))}

    def get_view(self, name: str) -> View:
        with self.read() as session:
            return view_from_row(self._view_row(session, name))

    @staticmethod
    def _view_row(session: Session, name: str) -> ViewRow:
        row = session.scalar(select(ViewRow).where(ViewRow.name == pool_key(name)))
        if row is None:
            raise NotFound("view", name)
        return row

    def create_view(self, name: str, networks: list[str], actor: str, description: str = "") -> View:
        """Define a view; :class:`Conflict` if the name is taken, :class:`InvalidInput` for a bad
        name or network or an overlap with any view."""
        key = pool_key(name)
        with self.write() as session:
            if session.scalar(select(ViewRow).where(ViewRow.name == key)) is not None:
                raise Conflict(f"view {key} already exists")
            view = _checked(session, key, networks)
            _check_description(description)
            session.add(ViewRow(name=view.name, networks=list(view.networks), description=description))
            self.record_change(
                session, actor=actor, action="view.create", subject=view.name, deltas=[],
                after=view_dict(view, description),
            )  # fmt: skip
            return view

    def update_view(
        self, name: str, actor: str, networks: list[str] | None = None, description: str | None = None
    ) -> View:
        """Replace a view's networks and/or description (checked like a create)."""
        with self.write() as session:
            row = self._view_row(session, name)
            old = view_from_row(row)
            view = _checked(
                session, row.name, list(old.networks) if networks is None else networks, skip=row.name
            )
            text = row.description if description is None else description
            _check_description(text)
            if view == old and text == row.description:
                return old
            before = view_dict(old, row.description)
            row.networks, row.description = list(view.networks), text
            self.record_change(
                session, actor=actor, action="view.update", subject=view.name, deltas=[],
                before=before, after=view_dict(view, text),
            )  # fmt: skip
            return view

    def delete_view(self, name: str, actor: str) -> None:
        """Remove a view; :class:`Conflict` naming the users while pools have members in it or
        records are limited to it."""
        with self.write() as session:
            row = self._view_row(session, name)
            pools = sorted(
                set(
                    session.scalars(
                        select(PoolRow.name).join(PoolAddressRow).where(PoolAddressRow.view == row.name)
                    )
                )
            )
            records = [
                f"{r.name}/{r.type}"
                for r in session.scalars(select(RecordRow).where(RecordRow.views.is_not(None)))
                if row.name in (r.views or ())
            ]
            if pools or records:
                users = [f"pool {p}" for p in pools[:5]] + records[:5]
                raise Conflict(f"view {row.name} is still used by {', '.join(users)}; change them first")
            before = view_dict(view_from_row(row), row.description)
            session.delete(row)
            self.record_change(
                session, actor=actor, action="view.delete", subject=row.name, deltas=[], before=before
            )

    def member_states(self) -> dict[tuple[str, ...], str]:
        """Every stored health state, keyed as :func:`dnsd.domain.selection.health_from_states`
        reads them: ``(pool, address)`` or ``(pool, address, host)``."""
        with self.read() as session:
            return read_member_states(session)


def _check_description(text: str) -> None:
    if len(text) > 1000:
        raise InvalidInput([Reason("description", "at most 1000 characters")])
