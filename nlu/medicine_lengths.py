"""Lengths of time said in a medicine answer: "for about a year", "since March", "2019-2022", "6 monthly infusions".

``LengthReader`` finds every length of time in an answer (how long a medicine was taken; not
how often, nor how long ago), with a flag when it is a range, vague or unclear. The medicine
reader (``nlu.medicines``) gives each length to the medicine it is said for; the duration
reader (``nlu.durations``) reads one said on its own. A time named as a start or an end
("from may 2022 until feb 2023") is read by the dates reader (``nlu.dates``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc

from nlu import dates
from nlu.medicine_names import Cues
from nlu.numbers import Amount, Number
from nlu.text import clause_breaks

_TIME_UNITS = {"day", "week", "month", "year"}
_COUNT_WORDS = {"one", "two", "three", "four", "once", "twice"}
# Where a clause ends, for cues about one medicine ("MabThera last year and CellCept now").
_BOUNDARIES = clause_breaks("medicines")
# The next medicine's own words start after these: the clause's end, or a list joiner.
_NEXT_ITEM = clause_breaks() | {"and", "+", "&", "plus"}


@dataclass
class Length:
    """A length of time said in the answer."""

    duration: str | None  # "2 years"; None when there is no usable length
    start: int  # tokens
    end: int
    flag: str | None = None  # "range", "vague", "unclear"
    others: bool = False  # "the others about 5": for every medicine without its own
    shared: bool = False  # "all for 18 months": for every medicine before it without its own


@dataclass(frozen=True)
class Answer:
    """One medicine answer as the readers see it: tokens, cues, numbers, amounts, and the day lengths count to."""

    doc: Doc
    words: list[str]  # lower case
    cues: Cues
    numbers: dict[int, Number]  # by first token
    amounts: dict[int, Amount]
    today: date

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Character offsets of tokens ``start:end``."""
        return self.doc[start].idx, self.doc[end - 1].idx + len(self.doc[end - 1])


class LengthReader:
    """Finds the lengths of time in a medicine answer."""

    def __init__(
        self,
        words: dict[str, set[str]],
        *,
        month_of: dict[str, int],
        seasons: frozenset[str],
        holidays: dict[str, int],
        dose_words: set[str],
    ) -> None:
        """Cue words by kind (``often``, ``round_vague``, ``n_often``, ``not_length``); months, seasons, holidays.

        ``dose_words`` make a following "a day" how often ("70 mg a day for 3 months").
        """
        self.words = words
        self.month_of = month_of
        self.seasons = seasons
        self.holidays = holidays
        self.dose_words = dose_words

    def spans(self, answer: Answer) -> list[Length]:
        """Every length of time in the answer (how long; not how often, nor how long ago)."""
        words, cues = answer.words, answer.cues
        found: list[Length] = []
        used: set[int] = set()
        for length in self._ranges(answer) + self._courses(answer):
            found.append(length)
            used |= set(range(length.start, length.end))
        for start, end in sorted(cues["since"]):
            if start in used:
                continue
            length = self._since(answer, end) or self._since_date(answer, end)
            if length is not None:
                length.start = start
                found.append(length)
                used |= set(range(start, length.end))
        last_unit: str | None = None
        for number in answer.numbers.values():
            if number.start in used:
                continue
            amount = answer.amounts.get(number.start)
            before = words[number.start - 1] if number.start > 0 else ""
            if amount is None or amount.unit not in _TIME_UNITS:
                said_before = next((w for w in reversed(words[: number.start]) if w not in {",", ".", "-"}), "")
                if (
                    amount is None
                    and last_unit
                    and said_before in self.words["corrections"]
                    and found
                    and found[-1].duration
                ):
                    # "two years, no wait, three": the length after the correction, in the unit said before
                    found[-1] = Length(_say(number.value, last_unit), found[-1].start, number.end)
                elif amount is None and last_unit and before in {"for", "about", "around", "others", "rest"}:
                    # "Arava for 2", "the others about 5": the unit said just before
                    found.append(Length(_say(number.value, last_unit), number.start, number.end))
                elif _is_year_range(number, answer.today):
                    found.append(Length(_say(number.high - number.low, "year"), number.start, number.end))
                elif amount is None and number.end < len(words) and words[number.end] in self.words["n_often"]:
                    found.append(Length(None, number.start, number.end + 1, "unclear"))  # "6 monthly": every 6?
                continue
            after = words[amount.end] if amount.end < len(words) else ""
            said_as = words[number.start]
            if (before in self.words["often"] - {"x"}) or (before == "x" and said_as in {"a", "an"}):
                continue  # "every 6 months", "twice a week": how often
            if said_as in {"a", "an"} and (before[:1].isdigit() or before in _COUNT_WORDS | self.dose_words):
                continue  # "x2 a day", "one a month", "70 mg a day": how often
            if after in self.words["not_length"]:
                continue
            if after == "in" and amount.end + 1 < len(words) and words[amount.end + 1] in self.month_of:
                found.append(Length(None, number.start, amount.end, "unclear"))  # "2 years in Feb": when?
                continue
            last_unit = amount.unit
            found.append(self._length(amount, words))
        found += _bare_halves(answer, used)
        for start, end in cues["vague"]:
            if not any(length.start <= start < max(length.end, length.start + 1) for length in found):
                found.append(Length(None, start, end, "vague"))
        for kind in ("shared", "others"):
            for start, _ in cues[kind]:
                length = next((f for f in found if 0 < f.start - start <= 4 and f.duration), None)
                if length is not None:
                    length.others |= kind == "others"
                    length.shared |= kind == "shared"
        joined = _joined(sorted(found, key=lambda length: length.start), words)
        return _corrected(joined, words, self.words["corrections"], self.words["correction_fillers"])

    def _ranges(self, answer: Answer) -> list[Length]:
        """The length between two times: "from may 2022 until feb 2023", "from 2019 till last year"."""
        words, found = answer.words, []
        for _, after_from in answer.cues["from"]:
            until = next((s for s, _ in answer.cues["until"] if after_from < s <= after_from + 4), None)
            if until is None:
                continue
            stop = next((i for i in range(until + 1, min(len(words), until + 5)) if words[i] in _BOUNDARIES | {"and"}),
                        min(len(words), until + 4))  # fmt: skip
            first = _when(answer, after_from, until)
            if first is not None and words[until + 1 : until + 2] and words[until + 1] in self.words["until_now"]:
                found.append(_between(first, (answer.today, "date"), after_from - 1, until + 2))  # "from 2018 to now"
                continue
            for end in range(stop, until + 1, -1):  # the longest time that reads: "feb 2023" before "feb"
                last = _when(answer, until + 1, end)
                if first is not None and last is not None:
                    found.append(_between(first, last, after_from - 1, end))
                    break
        return found

    def _since_date(self, answer: Answer, at: int) -> Length | None:
        """A start the dates reader reads, counted to today: "since 06/2025"."""
        stop = next((i for i in range(at, min(len(answer.words), at + 4)) if answer.words[i] in _BOUNDARIES), None)
        for end in range(stop or min(len(answer.words), at + 3), at, -1):
            start = _when(answer, at, end)
            if start is not None:
                return _between(start, (answer.today, "date"), at, end)
        return None

    def _courses(self, answer: Answer) -> list[Length]:
        """A number of doses times how often: "6 monthly infusions", "6 infusions, one a month"."""
        words, found = answer.words, []
        for start, end in answer.cues["doses"]:
            number = next((n for n in answer.numbers.values() if n.end in {start, start - 1}), None)
            if (
                number is None
                or not number.exact
                or (number.start in answer.amounts and answer.amounts[number.start].unit)
            ):
                continue
            near = words[max(0, number.start - 1) : end + 5]
            unit = next((_EVERY[w] for w in near if w in _EVERY), None)
            if unit is None:
                continue  # "2 doses, 2 weeks apart, in June": how many, not how long
            found.append(Length(_say(number.value, unit), number.start, end))
        return found

    def _length(self, amount: Amount, words: list[str]) -> Length:
        """An amount of time as a length, flagged when it is a range or vague ("a few months")."""
        number = amount.number
        flag = None
        after = words[amount.end : amount.end + 2]
        if number.low != number.high or (after[:1] in (["or"], ["to"], ["-"]) and after[1:2] and after[1][0].isdigit()):
            flag = "range"  # "2-3 years", "2 months or 3"
        elif number.vague and not any(words[i] in self.words["round_vague"] for i in range(number.start, number.end)):
            flag = "vague"
        elif number.bound == "under":
            flag = "vague"  # "less than 3 months"
        elif number.start > 0 and words[number.start - 1] in self.words["short_of"] and amount.unit != "year":
            flag = "vague"  # "almost 3 months": short of it by how much? ("almost 2 years" is past any cut-off)
        value = number.low if number.low != number.high else number.value
        end = amount.end
        if words[end : end + 3] == ["and", "a", "half"]:  # "a year and a half", "2 months and a half"
            value, end = value + 0.5, end + 3
        if amount.unit == "year" and value != int(value):
            return Length(_say(value * 12, "month"), amount.start, end, flag)  # "1.5 years": 18 months
        return Length(_say(value, amount.unit), amount.start, end, flag)

    def _since(self, answer: Answer, at: int) -> Length | None:
        """The length from a start ("since 2020", "since march", "started 6 weeks ago") to today."""
        words, today = answer.words, answer.today
        holidays = {start: " ".join(words[start:end]) for start, end in answer.cues["holidays"]}
        for j in range(at, min(len(words), at + 8)):
            word = words[j]
            number = answer.numbers.get(j)
            if word in _NEXT_ITEM:
                return None  # the next medicine's own words
            if words[j : j + 2] == ["i", "was"] and j + 2 in answer.numbers:
                return _since_age(answer, answer.numbers[j + 2], j)
            joined = number is not None and number.bound == "over" and words[number.end - 1 : number.end] == ["+"]
            if number is not None and 1900 <= number.value <= today.year and (number.exact or joined):
                month = self.month_of.get(words[j - 1]) if j > at else None
                if month:
                    return _since_month(today, int(number.value), month, j, number.end)
                years = today.year - int(number.value)
                return Length(_say(years, "year"), j, number.end) if years else Length(None, j, number.end, "vague")
            if number is not None and j in answer.amounts and answer.amounts[j].unit in _TIME_UNITS:
                amount = answer.amounts[j]
                length = self._length(amount, words)  # "started 6 weeks ago", "since 2 years"
                length.end = amount.end + (amount.end < len(words) and words[amount.end] == "ago")
                return length
            if word in self.month_of and (word != "may" or j == at):
                if words[j + 1 : j + 3] == ["last", "year"]:  # "since october last year"
                    return _since_month(today, today.year - 1, self.month_of[word], j, j + 3)
                year = answer.numbers.get(j + 1)
                if year is not None and 1900 <= year.value <= today.year:
                    return _since_month(today, int(year.value), self.month_of[word], j, year.end)
                return _since_month(today, None, self.month_of[word], j, j + 1)
            if j in holidays:
                end = j + len(holidays[j].split())
                year = answer.numbers.get(end)
                if year is not None and 1900 <= year.value <= today.year:  # "since chinese new year 2024"
                    return _since_month(today, int(year.value), self.holidays[holidays[j]], j, year.end)
                return _since_month(today, None, self.holidays[holidays[j]], j, end)
            if word in self.seasons or word in {"forever", "always", "ages"}:
                return Length(None, j, j + 1, "vague")  # "since summer": a season is not a month
            if words[j : j + 2] == ["this", "year"]:
                return Length(None, j, j + 2, "vague")
            if words[j] == "last" and words[j + 1 : j + 2] and words[j + 1] in {"year", "month", "week"}:
                # "started last week"; "since last year" is 11 to 23 months: how long, a person asks
                return Length(_say(1, words[j + 1]), j, j + 2, "vague" if words[j + 1] == "year" else None)
        return None


def _bare_halves(answer: Answer, used: set[int]) -> list[Length]:
    """A year or a month "and a half" with no number before it: 18 months, or 1.5 months."""
    words, found = answer.words, []
    for at, word in enumerate(words):
        if word not in {"year", "month"} or words[at + 1 : at + 4] != ["and", "a", "half"] or at in used:
            continue
        if at == 0 or not (at - 1 in answer.numbers or words[at - 1] in {"a", "an", "one"}):
            found.append(Length(_say(18 if word == "year" else 1.5, "month"), at, at + 4))
    return found


def _joined(found: list[Length], words: list[str]) -> list[Length]:
    """Years then months said as one length ("1 year 2 months", "1 yr and 3 mo"): one length, in months."""
    joined: list[Length] = []
    for length in found:
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.duration and length.duration and not last.flag and not length.flag
            and last.duration.split()[1].startswith("year") and length.duration.split()[1].startswith("month")
            and all(w == "and" for w in words[last.end : length.start])
        ):  # fmt: skip
            months = float(last.duration.split()[0]) * 12 + float(length.duration.split()[0])
            joined[-1] = Length(_say(months, "month"), last.start, length.end)
            continue
        joined.append(length)
    return joined


def _corrected(found: list[Length], words: list[str], corrections: set[str], fillers: set[str]) -> list[Length]:
    """A length said again after a correction ("2 years, no wait, 3 years") replaces the one before it."""
    kept: list[Length] = []
    for length in found:
        between = words[kept[-1].end : length.start] if kept else []
        if between and corrections & set(between) and set(between) <= corrections | fillers:
            kept[-1] = Length(length.duration, kept[-1].start, length.end, length.flag, length.others, length.shared)
            continue
        kept.append(length)
    return kept


def _say(value: float, unit: str) -> str:
    """A length as ``criteria.quantities.Quantity`` parses it: "2 years", "18 months"."""
    return f"{value:g} {unit}{'' if value == 1 else 's'}"


# How often a dose is given, as the unit of a course's length ("6 monthly infusions": 6 months).
_EVERY = {"monthly": "month", "weekly": "week", "month": "month", "week": "week", "daily": "day"}


def _when(answer: Answer, start: int, end: int) -> tuple[date, str] | None:
    """The first day of the time tokens ``start:end`` name, and its precision, when they name one clearly."""
    if start >= end:
        return None
    text = answer.doc[start:end].text
    reading = dates.default_reader().read(text, answer.today)
    if reading is None or reading.confidence < 1.0 or not isinstance(reading.value, dict):
        return None
    if reading.end - reading.start < len(text.strip()) - 1:
        return None  # only part of the words is a time
    ((precision, said),) = reading.value.items()
    day = date.fromisoformat({"date": said, "month": f"{said}-01", "year": f"{said}-01-01"}[precision])
    return day, precision


def _between(first: tuple[date, str], last: tuple[date, str], start: int, end: int) -> Length:
    """The length from one time to another, in the coarser of their precisions."""
    (a, a_is), (b, b_is) = first, last
    if "year" in {a_is, b_is}:
        years = b.year - a.year
        return Length(_say(years, "year"), start, end) if years > 0 else Length(None, start, end, "unclear")
    months = (b.year - a.year) * 12 + b.month - a.month
    return Length(_say(months, "month"), start, end) if months > 0 else Length(None, start, end, "unclear")


def _since_month(today: date, year: int | None, month: int, start: int, end: int) -> Length:
    """Whole months from a month (this year's, or last year's when it is still to come) to today."""
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    months = (today.year - year) * 12 + today.month - month
    return Length(_say(months, "month"), start, end) if months > 0 else Length(None, start, end, "vague")


def _since_age(answer: Answer, then: Number, start: int) -> Length:
    """The years between two ages: "since I was 16 (I'm 34 now)"."""
    for number in answer.numbers.values():
        before, after = answer.words[max(0, number.start - 2) : number.start], answer.words[number.end : number.end + 2]
        aged = before[-1:] in (["im"], ["am"], ["m"], ["'m"]) or after[:1] == ["now"] or after == ["years", "old"]
        if number is not then and number.exact and aged and number.value > then.value:
            return Length(_say(number.value - then.value, "year"), start, max(then.end, number.end))
    return Length(None, start, then.end, "unclear")  # the age now is not said


def _is_year_range(number: Number, today: date) -> bool:
    """A range of years up to this one: "2019-2022"."""
    return number.low != number.high and 1900 <= number.low < number.high <= today.year and number.low.is_integer()
