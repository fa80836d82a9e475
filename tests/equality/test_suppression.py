"""No hidden count in an equality table can be worked out from what is shown: checked by exact
linear algebra over every sum the tables publish (groups to a unit's total, areas to their
provider, providers to all), for random tables of small counts."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.equality.suppression import SUPPRESS_BELOW, hidden_cells


def _tree(providers: list[int]) -> dict:
    parent = {"all": None}
    for p, areas in enumerate(providers):
        parent[("p", p)] = "all"
        for a in range(areas):
            parent[("a", p, a)] = ("p", p)
    return parent


def _full_counts(leaf_counts: dict, groups: list, parent: dict) -> dict:
    """Counts at every level, summed up from the leaves."""
    counts = dict(leaf_counts)
    for unit in sorted(parent, key=lambda u: -len(u) if isinstance(u, tuple) else 0):
        if any(up == unit for up in parent.values()):
            for g in groups:
                counts[(g, unit)] = sum(counts[(g, c)] for c, up in parent.items() if up == unit)
    return counts


def determined(hidden: set, groups: list, parent: dict) -> set:
    """The hidden cells whose value follows from the shown cells and totals: e_cell lies in the
    row space of the published equations restricted to the hidden cells."""
    unknowns = sorted(hidden, key=repr)
    index = {cell: i for i, cell in enumerate(unknowns)}
    rows = []
    for unit in parent:  # a unit's groups add up to its shown total
        rows.append({index[(g, unit)]: Fraction(1) for g in groups if (g, unit) in index})
    for unit in {up for up in parent.values() if up is not None}:  # children add up to their parent
        for g in groups:
            row = {index[(g, unit)]: Fraction(1)} if (g, unit) in index else {}
            for child, up in parent.items():
                if up == unit and (g, child) in index:
                    row[index[(g, child)]] = Fraction(-1)
            rows.append(row)
    matrix = [[row.get(j, Fraction(0)) for j in range(len(unknowns))] for row in rows if row]
    pivots = _rref(matrix, len(unknowns))
    return {unknowns[col] for r, col in pivots if sum(1 for v in matrix[r] if v) == 1}


def _rref(matrix: list[list[Fraction]], width: int) -> list[tuple[int, int]]:
    pivots, r = [], 0
    for col in range(width):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col]), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][col]
        matrix[r] = [v / lead for v in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][col]:
                factor = matrix[i][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append((r, col))
        r += 1
    return pivots


tables = st.integers(1, 3).flatmap(lambda p: st.tuples(
    st.lists(st.integers(1, 3), min_size=p, max_size=p), st.integers(2, 5)))


@settings(max_examples=150, deadline=None)
@given(shape=tables, data=st.data())
def test_no_hidden_count_can_be_worked_out(shape, data):
    providers, n_groups = shape
    parent, groups = _tree(providers), list(range(n_groups))
    leaves = [u for u in parent if isinstance(u, tuple) and u[0] == "a"]
    leaf_counts = {(g, leaf): data.draw(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 14])) for g in groups
                   for leaf in leaves}
    counts = _full_counts(leaf_counts, groups, parent)
    hidden = hidden_cells(counts, groups, parent)
    assert {cell for cell, n in counts.items() if 0 < n < SUPPRESS_BELOW} <= hidden
    assert not determined(hidden, groups, parent)


def test_a_lone_small_count_takes_the_next_smallest_with_it():
    """One provider, one area: the 3 is hidden, and so is the smallest other count in its column
    (else total minus the rest gives it), and the same cells at the provider and all-provider levels."""
    parent = {"all": None, "p": "all", "a": "p"}
    counts = {}
    for unit in parent:
        counts.update({("x", unit): 3, ("y", unit): 7, ("z", unit): 20})
    hidden = hidden_cells(counts, ["x", "y", "z"], parent)
    assert hidden == {("x", u) for u in parent} | {("y", u) for u in parent}


def test_the_determinacy_check_finds_what_a_single_hidden_cell_gives_away():
    """The check itself can fail: hide only the 3 and it is worked out from the total."""
    parent = {"all": None}
    assert determined({("x", "all")}, ["x", "y"], parent) == {("x", "all")}
