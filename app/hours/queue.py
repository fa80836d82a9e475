"""The approval queue as approvers work it: by person, then by week, each week with its total."""

from dataclasses import dataclass, field
from math import ceil

from app.access import Named
from app.hours.queries import WaitingEntry
from app.periods import week_start

# Ten people a page: each card is a person's weeks, checked before "Approve everything on this
# page"; twenty were several screens on a phone (and twice the page to build).
PEOPLE_PER_PAGE = 10


@dataclass
class WeekGroup:
    starts_on: object
    entries: list[WaitingEntry] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(entry.minutes for entry in self.entries)


@dataclass
class PersonGroup:
    person: Named
    weeks: list[WeekGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(week.entries) for week in self.weeks)


@dataclass(frozen=True)
class QueuePage:
    """Which page of people, for the pagination links."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, **_):
        return range(1, self.pages + 1)


def queue_groups(entries: list[WaitingEntry], person_order: list[int]) -> list[PersonGroup]:
    """Entries grouped by person (in the order given: longest waiting first) and week, oldest first."""
    groups: dict[int, PersonGroup] = {}
    for entry in sorted(entries, key=lambda e: (e.worked_on, e.id)):
        group = groups.setdefault(entry.person_id, PersonGroup(entry.person))
        start = week_start(entry.worked_on)
        if not group.weeks or group.weeks[-1].starts_on != start:
            group.weeks.append(WeekGroup(start))
        group.weeks[-1].entries.append(entry)
    return [groups[person_id] for person_id in person_order if person_id in groups]
