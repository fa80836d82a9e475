"""Each budget line's annual budget, priced when what it is priced from changes, kept on the line.

A pay line's budget is its posts' years at their grade's pay point and the on-cost rule in force
on the contract year's pay basis day, to the pound; any other line's is its amount
(``services.priced_lines``, the rule of ``budget_row``). The return for every provider reads the
price kept on each line (``budget_line.priced_pence``, and ``pricing_problem``: why a pay line
could not be priced) instead of pricing thousands of posts on each request.

Kept in the same transaction as any change that moves it, whichever way it is made:

- a budget line, a post, a contract year or a provider's on-cost rule added, changed or deleted
  through the ORM: the lines of that provider's contract years are priced again as it commits;
- a pay point, a grade or a council-wide on-cost rule: every line is (a pay award is a few
  times a year, and every provider's lines price in a tenth of a second);
- a bulk statement on any of them: every line is.

A line with no price kept (as after the upgrade that adds the columns) is priced as it is read.
``flask summaries rebuild`` prices every line again, ``flask summaries check`` compares.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session

from app.changes import old_value
from app.extensions import db
from app.models.establishment import (
    BudgetLine,
    BudgetLineKind,
    ContractYear,
    Grade,
    OnCostRule,
    PayPoint,
    Post,
    budget_line_post,
)

from .services import priced_lines

_WATCHED = (BudgetLine, Post, ContractYear, OnCostRule, PayPoint, Grade)
_EVERY_LINE = (PayPoint, Grade)


@dataclass(frozen=True)
class KeptLine:
    id: int
    contract_year_id: int
    kind: BudgetLineKind
    name: str
    annual_pence: int  # as ``budget_row`` gives it; a line that cannot be priced is 0
    problem: str | None
    post_ids: tuple[int, ...]  # a pay line's posts (the others' are not read)


def kept_lines(year_ids, values: dict | None = None) -> list[KeptLine]:
    """Every line of these contract years (a query of their ids, run with ``values``), in each
    year's order, with the budget kept on it, and a pay line's posts: two small reads. Lines never
    priced are priced here. The reads are built once for a query kept by its caller."""
    read_lines, read_posts = _reads(year_ids)
    lines = db.session.execute(read_lines, values).all()
    posts: dict[int, list[int]] = defaultdict(list)
    for line_id, post_id in db.session.execute(read_posts, values):
        posts[line_id].append(post_id)
    unpriced = sorted({year_id for _, year_id, _, _, pence, _ in lines if pence is None})
    fresh = {line.id: (line.annual_pence, line.problem) for line in priced_lines(unpriced)} if unpriced else {}
    return [KeptLine(line_id, year_id, kind, name, *fresh.get(line_id, (pence, problem)), tuple(posts[line_id]))
            for line_id, year_id, kind, name, pence, problem in lines]


@lru_cache(maxsize=8)
def _reads(year_ids):
    lines = (select(BudgetLine.id, BudgetLine.contract_year_id, BudgetLine.kind, BudgetLine.name,
                    BudgetLine.priced_pence, BudgetLine.pricing_problem)
             .where(BudgetLine.contract_year_id.in_(year_ids)).order_by(BudgetLine.sort_order, BudgetLine.id))
    posts = (select(budget_line_post.c.budget_line_id, budget_line_post.c.post_id)
             .join(BudgetLine, BudgetLine.id == budget_line_post.c.budget_line_id)
             .where(BudgetLine.contract_year_id.in_(year_ids), BudgetLine.kind == BudgetLineKind.PAY)
             .order_by(budget_line_post.c.post_id))
    return lines, posts


# ---------------------------------------------------------------- writing the prices

def _fresh(session: Session, year_ids) -> dict[int, tuple[int, str | None]]:
    return {line.id: (line.annual_pence, line.problem) for line in priced_lines(year_ids, session=session)}


def _kept(session: Session, year_ids) -> dict[int, tuple[int | None, str | None]]:
    return {line_id: (pence, problem) for line_id, pence, problem in session.execute(
        select(BudgetLine.id, BudgetLine.priced_pence, BudgetLine.pricing_problem)
        .where(BudgetLine.contract_year_id.in_(year_ids)))}


def _years(provider_ids: set[int] | None):
    query = select(ContractYear.id)
    return query if provider_ids is None else query.where(ContractYear.provider_id.in_(sorted(provider_ids)))


def write_lines(session: Session, provider_ids: set[int] | None) -> None:
    """Price again the lines of these providers' contract years (every provider's: None), writing
    only the lines whose price or problem changed."""
    years = _years(provider_ids)
    kept, fresh = _kept(session, years), _fresh(session, years)
    changed = [{"line_id": line_id, "pence": pence, "problem": problem}
               for line_id, (pence, problem) in fresh.items() if kept.get(line_id) != (pence, problem)]
    if changed:
        table = BudgetLine.__table__
        session.connection().execute(
            update(table).where(table.c.id == bindparam("line_id"))
            .values(priced_pence=bindparam("pence"), pricing_problem=bindparam("problem")), changed)


def rebuild(session: Session) -> None:
    write_lines(session, None)


def differences(session: Session) -> list[tuple]:
    """Lines whose kept price differs from a fresh pricing: (line, kept, fresh)."""
    years = _years(None)
    kept, fresh = _kept(session, years), _fresh(session, years)
    return [(line_id, kept.get(line_id), fresh.get(line_id)) for line_id in sorted(set(kept) | set(fresh))
            if kept.get(line_id) != fresh.get(line_id)]


# ---------------------------------------------------------------- noticing changes

def _pending(session: Session) -> dict:
    return session.info.setdefault("line_prices", {"providers": set(), "years": set(), "all": False})


def _note(pending: dict, item) -> None:
    if isinstance(item, _EVERY_LINE):
        pending["all"] = True
    elif isinstance(item, OnCostRule):
        if item.provider_id is None or old_value(item, "provider_id") is None:
            pending["all"] = True
        pending["providers"] |= {item.provider_id, old_value(item, "provider_id")} - {None}
    elif isinstance(item, Post | ContractYear):
        pending["providers"] |= {item.provider_id, old_value(item, "provider_id")} - {None}
    elif isinstance(item, BudgetLine):
        pending["years"] |= {item.contract_year_id, old_value(item, "contract_year_id")} - {None}


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    for item in chain(session.new, session.dirty, session.deleted):
        if isinstance(item, _WATCHED):
            _note(_pending(session), item)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    """Inserts, updates and deletes run as statements rather than through a flush."""
    if state.is_insert or state.is_update or state.is_delete:
        mapper = state.bind_mapper
        if mapper is not None and mapper.class_ in _WATCHED:
            _pending(state.session)["all"] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    """Price again the lines the transaction's changes touched, before it commits."""
    session.flush()
    pending = session.info.pop("line_prices", None)
    if not pending or not (pending["all"] or pending["providers"] or pending["years"]):
        return
    if pending["all"]:
        write_lines(session, None)
        return
    providers = set(pending["providers"])
    if pending["years"]:
        providers |= set(session.scalars(select(ContractYear.provider_id)
                                         .where(ContractYear.id.in_(sorted(pending["years"])))))
    write_lines(session, providers)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop("line_prices", None)
