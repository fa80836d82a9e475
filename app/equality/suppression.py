"""Small-number suppression for tables of people counted by group, published at every level of
a tree of units (all providers, each provider, each provider's area).

Each published table is one question and one stage: a count per group (the rows) per unit,
with the unit's total always shown. The published figures satisfy two kinds of sum: a unit's
groups add up to its total, and a unit's count for a group is the sum of its children's. Those
sums form a network (see ``_network``): each count is an arc, each sum a node. Given the shown
counts, a hidden count can be worked out by differencing exactly when its arc is a bridge
among the hidden arcs, that is, lies on no cycle of hidden arcs. So:

1. counts of 1 to 4 are hidden (primary suppression);
2. while a hidden count is a bridge, the cheapest path of shown counts that closes a cycle
   through it is hidden too (secondary suppression), preferring zeros and small counts.

Nothing here reads the database: the caller gives the counts and the tree.
"""

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable
from functools import lru_cache

SUPPRESS_BELOW = 5

Unit = Hashable
Group = Hashable
Key = tuple[Group, Unit]


def hidden_cells(counts: dict[Key, int], groups: Iterable[Group], parent: dict[Unit, Unit | None]) -> set[Key]:
    """The cells (group, unit) to hide in one table so that no hidden count can be worked out.

    ``counts`` holds every unit's count for every group (missing: 0); ``parent`` maps each unit
    to the unit its counts add up into (None for the top). Every unit's total is shown. The
    answer depends only on the counts, so the same table (a page asked for again) is worked out
    once per process.
    """
    groups = tuple(groups)
    return set(_hidden(frozenset((key, n) for key, n in counts.items() if n), groups,
                       frozenset(parent.items())))


@lru_cache(maxsize=512)
def _hidden(counts: frozenset, groups: tuple, parent: frozenset) -> frozenset:
    arcs, ends = _network(list(groups), dict(parent))
    value = dict.fromkeys(arcs, 0) | dict(counts)
    everything = _adjacency(arcs, ends)
    hidden = {arc for arc in arcs if 0 < value[arc] < SUPPRESS_BELOW}
    while True:
        bridges = _bridges(hidden, ends)
        if not bridges:
            return frozenset(hidden)
        for arc in bridges:
            if _is_bridge(arc, hidden, ends, everything):
                hidden |= _closing_path(arc, hidden, arcs, ends, value, everything)


def _network(groups: list[Group], parent: dict[Unit, Unit | None]) -> tuple[list[Key], dict]:
    """Each count as an arc between the two sums it appears in.

    Nodes: ("sum", group, unit) for a unit with children (its count is the sum of theirs);
    ("total", unit) for a unit without (its groups add up to its shown total); "top", where
    the top unit's groups add up to its total. Each leaf's shown total is an arc from "top" to
    ("total", leaf) that is never hidden, so it is left out of the graph of hidden arcs.
    """
    has_children = {p for p in parent.values() if p is not None}
    ends: dict[Key, tuple] = {}
    for unit, up in parent.items():
        for group in groups:
            inner = ("sum", group, unit) if unit in has_children else ("total", unit)
            outer = ("sum", group, up) if up is not None else "top"
            ends[(group, unit)] = (inner, outer)
    return list(ends), ends


def _adjacency(arcs: Iterable[Key], ends: dict) -> dict:
    adjacent: dict = defaultdict(list)
    for arc in arcs:
        a, b = ends[arc]
        adjacent[a].append((b, arc))
        adjacent[b].append((a, arc))
    return adjacent


def _bridges(hidden: set[Key], ends: dict) -> list[Key]:
    """The hidden arcs on no cycle of hidden arcs (Tarjan's bridges, without recursion)."""
    adjacent = _adjacency(hidden, ends)
    order: dict = {}
    low: dict = {}
    found: list[Key] = []
    for root in adjacent:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack = [(root, None, iter(adjacent[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for nxt, arc in neighbours:
                if arc == via:
                    continue
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = len(order)
                    stack.append((nxt, arc, iter(adjacent[nxt])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    up = stack[-1][0]
                    low[up] = min(low[up], low[node])
                    if low[node] > order[up]:
                        found.append(via)
    return sorted(found, key=repr)


def _is_bridge(arc: Key, hidden: set[Key], ends: dict, everything: dict) -> bool:
    """Whether the two ends of ``arc`` are joined by no other hidden path."""
    start, goal = ends[arc]
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return False
        for nxt, step in everything.get(node, ()):
            if step in hidden and step != arc and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return True


def _closing_path(arc: Key, hidden: set[Key], arcs: list[Key], ends: dict, value: dict[Key, int],
                  everything: dict) -> set[Key]:
    """The shown arcs to hide so that ``arc`` lies on a cycle: the cheapest path between its ends
    (a hidden arc costs nothing, a shown one 1 more than its count). With no path at all (a
    table of one group), every arc is hidden."""
    start, goal = ends[arc]
    best = {start: 0}
    came: dict = {}
    queue = [(0, 0, start)]
    tie = 0
    while queue:
        cost, _, node = heapq.heappop(queue)
        if node == goal:
            break
        if cost > best.get(node, float("inf")):
            continue
        for nxt, step in everything.get(node, ()):
            if step == arc:
                continue
            price = cost + (0 if step in hidden else 1 + value[step])
            if price < best.get(nxt, float("inf")):
                best[nxt], came[nxt] = price, (node, step)
                tie += 1
                heapq.heappush(queue, (price, tie, nxt))
    if goal not in came:
        return set(arcs)
    path, node = set(), goal
    while node != start:
        node, step = came[node]
        path.add(step)
    return path
