"""The ``medicines`` rule: counting the medicines a patient named, and how long they took them.

Written in a trial file as::

    {medicines: {from: [current_medicines, past_medicines], classes: [immunosuppressant, biologic],
                 min_count: 2, each_at_least: 3 months}}
    {medicines: {from: [current_medicines, past_medicines], classes: [biologic], total_more_than: 6 months}}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from criteria.quantities import Quantity
from criteria.rules import Context, Outcome, Rule, Truth, latest, read_fact
from criteria.values import MedicineUse


@dataclass
class _Tally:
    """The listed medicines of the wanted classes, counted."""

    sure: int = 0
    maybe: int = 0
    growing: int = 0  # medicines taken now, whose durations keep growing
    low: float = 0.0  # days of the sure ones, at the least
    high: float = 0.0  # days of all of them, at the most (inf when some duration is unknown)
    assumed: set[str] = field(default_factory=set)  # lists whose implied durations counted
    short_now: list[float] = field(default_factory=list)  # days until a short one taken now is long enough


@dataclass(frozen=True)
class MedicineTest(Rule):
    """Counts medicines of some classes across one or more medicine-list facts.

    Each listed medicine is *sure* (in a wanted class and long enough), *out* (another class
    or known too short) or *maybe* (a name we cannot place, a class the site must weigh, a
    duration not given, or a short course of a drug given in infusions or pulses, where a
    few weeks may be a whole course). The rule holds when the sure ones suffice, fails when
    even every maybe would not, and is unknown in between. A cumulative duration reported
    exactly at a strict bound ("6 months" against "more than 6 months") is unknown: patients
    round what they report, so the site checks it.
    """

    sources: tuple[str, ...]
    classes: tuple[str, ...]
    min_count: int = 1
    each_at_least: Quantity | None = None
    total_more_than: Quantity | None = None

    def evaluate(self, ctx: Context) -> Outcome:
        """Three-valued count (and cumulative duration) over the listed medicines."""
        items: list[tuple[MedicineUse, str]] = []
        pending: list[Outcome] = []
        used: set[str] = set()
        for source in self.sources:
            got = read_fact(ctx, source)
            if isinstance(got, Outcome):
                pending.append(got)
                used |= got.used
                continue
            used.add(source)
            assert isinstance(got.value, tuple)
            items.extend((use, source) for use in got.value)
        tally = self._tally(items, ctx)
        open_end = bool(pending)
        verdicts = [self._count_verdict(tally, open_end, ctx.today)]
        if self.total_more_than is not None:
            high = math.inf if open_end else tally.high
            verdicts.append(self._total_verdict(tally.low, high, tally.growing, ctx.today))
        frozen_used = frozenset(used)
        assumed = frozenset(tally.assumed)
        if all(v is not None and v[0] is Truth.TRUE for v in verdicts):
            return Outcome(Truth.TRUE, frozen_used, assumed=assumed)
        false = [v for v in verdicts if v is not None and v[0] is Truth.FALSE]
        if false:
            return Outcome(Truth.FALSE, frozen_used, flips_on=latest(v[1] for v in false))
        missing = [p for p in pending if p.truth is Truth.MISSING]
        if missing:
            return Outcome(Truth.MISSING, frozen_used, missing[0].ask)
        return Outcome(Truth.UNSURE, frozen_used, assumed=assumed)

    def _tally(self, items: list[tuple[MedicineUse, str]], ctx: Context) -> _Tally:
        tally = _Tally()
        # One agent named twice (CellCept now, "mycophenolate" in the past) is one medicine.
        groups: dict[str, list[tuple[MedicineUse, str]]] = {}
        for use, source in items:
            key = ctx.lexicon.agent_of(use.medicine) if use.medicine else "?" + use.said.strip().casefold()
            groups.setdefault(key, []).append((use, source))
        for entries in groups.values():
            first = entries[0][0].medicine
            in_class = ctx.lexicon.membership(first, self.classes) if first else None
            if in_class is False:
                continue
            cyclic = any(use.medicine and ctx.lexicon.is_cyclic(use.medicine) for use, _ in entries)
            checks = [self._long_enough(use.duration_days, ctx.implied_days.get(src), cyclic) for use, src in entries]
            long_enough = True if True in checks else False if all(c is False for c in checks) else None
            if long_enough is False:
                wait = self._days_short(entries, ctx)
                if wait is not None:
                    tally.short_now.append(wait)
                continue
            known = [use.duration_days for use, _ in entries if use.duration_days is not None]
            implied = [ctx.implied_days.get(src) or 0.0 for use, src in entries if use.duration_days is None]
            floor = max([*known, *implied])
            if in_class and long_enough:
                tally.sure += 1
                tally.low += floor
                if known != [floor] and (self.each_at_least or self.total_more_than):
                    # The floor came from what the question implied, not from the patient's words.
                    tally.assumed.update(
                        src for use, src in entries if use.duration_days is None and src in ctx.implied_days
                    )
            else:
                tally.maybe += 1
            if any(src in ctx.ongoing for _, src in entries):
                tally.growing += 1
            tally.high += sum(known) if len(known) == len(entries) and not cyclic else math.inf
        return tally

    def _long_enough(self, known: float | None, implied: float | None, cyclic: bool) -> bool | None:
        if self.each_at_least is None:
            return True
        need = self.each_at_least.in_days()
        if known is not None:
            # Half a day of slack absorbs month/week rounding ("3 months" vs 91.3 days).
            if known + 0.5 >= need:
                return True
            # Two rituximab infusions two weeks apart are a whole course: the site weighs it.
            return None if cyclic else False
        if implied is not None and implied + 0.5 >= need:
            return True
        return None

    def _days_short(self, entries: list[tuple[MedicineUse, str]], ctx: Context) -> float | None:
        """Days until a medicine taken now is long enough, or None if none of it is taken now."""
        assert self.each_at_least is not None
        need = self.each_at_least.in_days()
        waits = [
            need - 0.5 - use.duration_days
            for use, src in entries
            if src in ctx.ongoing and use.duration_days is not None
        ]
        return min(waits) if waits else None

    def _count_verdict(self, tally: _Tally, open_end: bool, today: date) -> tuple[Truth, date | None] | None:
        if tally.sure >= self.min_count:
            return Truth.TRUE, None
        if not open_end and tally.sure + tally.maybe < self.min_count:
            deficit = self.min_count - tally.sure - tally.maybe
            waits = sorted(tally.short_now)
            flips = today + timedelta(days=math.ceil(waits[deficit - 1])) if len(waits) >= deficit else None
            return Truth.FALSE, flips
        return None

    def _total_verdict(self, low: float, high: float, growing: int, today: date) -> tuple[Truth, date | None] | None:
        assert self.total_more_than is not None
        limit = self.total_more_than.in_days()
        if low > limit:
            return Truth.TRUE, None
        if high <= limit - 0.5:
            flips = today + timedelta(days=math.floor((limit - high) / growing) + 1) if growing else None
            return Truth.FALSE, flips
        return None

    def fact_ids(self) -> tuple[str, ...]:
        """The medicine-list facts."""
        return self.sources
