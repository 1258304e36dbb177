"""Finding instruments in a broker's master: ranked fuzzy search, expiries, and the contracts of a chain.

A :class:`SearchIndex` is built once per master (100k instruments in a few hundred ms) so that each
query costs about a millisecond. A query's words must each match, case-insensitively; an instrument
ranks by its worst-matching word: an exact trading symbol, a prefix of the trading symbol, a prefix of
a word of its name (or of its underlying, strike, right or expiry month), a substring, and last a
misspelt word (a close match in the index's vocabulary). Ties go to the shorter trading symbol, then
the nearer expiry, then NSE before BSE and so on.
"""

from __future__ import annotations

import datetime as dt
import difflib
import heapq
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import accumulate

from brokerplex.errors import InputError
from brokerplex.models import Exchange, Instrument, InstrumentType
from brokerplex.symbols import MONTHS

EXACT, PREFIX, WORD, SUBSTRING, FUZZY, MISS = range(6)  # how well a query word matches an instrument
_DERIVATIVES = (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE)
_EXCHANGES = {exchange: rank for rank, exchange in enumerate(Exchange)}
_WORD = re.compile(r"[0-9a-z]+")
_SEPARATOR = "\x00"  # between instruments in the text that substrings are looked for in
_END = "\uffff"  # sorts after every character a symbol or name holds
_SORTED = 20_000  # candidates up to this many are sorted at once; more are merged lazily
_SAMPLED = 16  # one instrument in this many estimates how common a substring is


def _words(instrument: Instrument) -> tuple[str, ...]:
    """What a query word may be the start of, besides the trading symbol."""
    words = _WORD.findall(instrument.name.lower())
    if instrument.instrument_type in _DERIVATIVES:
        words.append(instrument.instrument_type.value.lower())
        if instrument.underlying:
            words.append(instrument.underlying.lower())
        if instrument.strike is not None:
            words.append(format(instrument.strike.normalize(), "f"))
        if instrument.expiry is not None:
            words.append(MONTHS[instrument.expiry.month - 1].lower())
    return tuple(dict.fromkeys(words))


def _grams(word: str) -> set[str]:
    """A word's trigrams (to find misspellings), and its letters in order (to find swapped letters)."""
    padded = f"^{word}$"
    return {padded[at:at + 3] for at in range(len(padded) - 2)} | {"#" + "".join(sorted(word))}


class SearchIndex:
    """A master's instruments, indexed for :meth:`search`, :meth:`expiries` and :meth:`options`."""

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self._items = sorted(instruments, key=lambda i: (len(i.tradingsymbol), i.expiry or dt.date.min,
                                                         _EXCHANGES[i.exchange], i.symbol))
        self._symbols = [item.tradingsymbol.lower() for item in self._items]
        self._tokens = [_words(item) for item in self._items]
        haystacks = [" ".join((symbol, *(word for word in words if word not in symbol)))
                     for symbol, words in zip(self._symbols, self._tokens, strict=True)]
        self._text = _SEPARATOR.join(haystacks)
        self._starts = list(accumulate((len(hay) + 1 for hay in haystacks[:-1]), initial=0))
        self._haystacks = haystacks
        self._sample = _SEPARATOR.join(haystacks[::_SAMPLED])  # to estimate how common a substring is
        ordered = sorted(range(len(self._items)), key=self._symbols.__getitem__)
        self._sorted_symbols = [self._symbols[at] for at in ordered]
        self._sorted_ids = ordered
        postings: dict[str, list[int]] = {}
        for at, words in enumerate(self._tokens):
            for word in words:
                postings.setdefault(word, []).append(at)
        self._vocabulary = sorted(postings)
        self._postings = [postings[word] for word in self._vocabulary]
        self._posted = list(accumulate((len(ids) for ids in self._postings), initial=0))
        self._by_word = dict(zip(self._vocabulary, self._postings, strict=True))
        # misspellings are looked for among words and the trading symbols of the cash market
        spellable = {word for word in postings if word.isalpha() and len(word) > 2}
        spellable |= {symbol for symbol, item in zip(self._symbols, self._items, strict=True)
                      if item.instrument_type not in _DERIVATIVES}
        self._spellable = sorted(spellable)
        self._by_gram: dict[str, list[int]] = {}
        for at, word in enumerate(self._spellable):
            for gram in _grams(word):
                self._by_gram.setdefault(gram, []).append(at)
        self._derivatives: dict[str, list[int]] = {}
        for at, item in enumerate(self._items):
            if item.instrument_type in _DERIVATIVES and item.expiry is not None:
                self._derivatives.setdefault((item.underlying or item.name).upper(), []).append(at)

    def __len__(self) -> int:
        return len(self._items)

    # -- search ---------------------------------------------------------------------------------------

    def search(self, query: str, *, exchange: Exchange | str | None = None,
               instrument_type: InstrumentType | str | None = None, limit: int = 20) -> list[Instrument]:
        """The best ``limit`` instruments for ``query`` (every word of it must match), best first."""
        words = list(dict.fromkeys(query.lower().split()))
        if not words:
            raise InputError("search for something: a symbol or a name, e.g. INFY or 'nifty 24000 ce'")
        if limit < 1:
            raise InputError("the limit must be at least 1")
        wanted_exchange = None if exchange is None else Exchange(str(exchange).upper())
        wanted_type = None if instrument_type is None else InstrumentType(str(instrument_type).upper())
        found: list[int] = []
        ranked: dict[int, int] = {}  # instrument → the tier of its worst-matching word
        absent: set[str] = set()  # words that are nowhere as they are: a full substring scan found none
        misspelt: dict[str, frozenset[str]] = {}
        for tier in (EXACT, PREFIX, WORD, SUBSTRING, FUZZY):
            if tier == FUZZY:  # only words that are nowhere as they are can be misspelt
                absent.update(word for word in words if word not in absent and not self._estimate(word, WORD)
                              and word not in self._text)
                misspelt = {word: self._close_words(word) for word in absent}
                if not misspelt or not all(misspelt.values()):
                    break
                anchor = min(misspelt, key=lambda word: len(self._spelt(misspelt[word])))
                candidates: Iterable[int] = self._spelt(misspelt[anchor])
            else:
                anchor = min(words, key=lambda word: self._estimate(word, tier))
                if tier < SUBSTRING and self._estimate(anchor, tier) == 0:
                    continue
                candidates = self._candidates(anchor, tier)
            literal = [word for word in words if word not in misspelt]
            hits = 0
            for at in candidates:
                hits += 1
                worst = ranked.get(at) if tier < FUZZY else None
                if worst is None:
                    item, haystack = self._items[at], self._haystacks[at]
                    if (wanted_exchange and item.exchange is not wanted_exchange) or (
                            wanted_type and item.instrument_type is not wanted_type) or not all(
                            word in haystack for word in literal):  # a word not in it does not match it
                        worst = MISS
                    else:
                        worst = max(self._tier(word, at, misspelt.get(word)) for word in words)
                    ranked[at] = worst
                if worst == tier:  # (better ones were taken at their own tier)
                    found.append(at)
                    if len(found) == limit:
                        return [self._items[at] for at in found]
            if tier == SUBSTRING and not hits:
                absent.add(anchor)
        return [self._items[at] for at in found]

    def _tier(self, word: str, at: int, misspelt: frozenset[str] | None) -> int:
        symbol = self._symbols[at]
        if symbol.startswith(word):
            return EXACT if symbol == word else PREFIX
        tokens = self._tokens[at]
        if any(token.startswith(word) for token in tokens):
            return WORD
        if word in self._haystacks[at]:
            return SUBSTRING
        if misspelt and (symbol in misspelt or not misspelt.isdisjoint(tokens)):
            return FUZZY
        return MISS

    def _symbol_range(self, word: str) -> tuple[int, int]:
        return bisect_left(self._sorted_symbols, word), bisect_left(self._sorted_symbols, word + _END)

    def _word_range(self, word: str) -> tuple[int, int]:
        return bisect_left(self._vocabulary, word), bisect_right(self._vocabulary, word + _END)

    def _estimate(self, word: str, tier: int) -> int:
        """About how many instruments ``word`` matches at ``tier`` or better (to pick the rarest word)."""
        low, high = self._symbol_range(word)
        if tier == EXACT:
            return bisect_right(self._sorted_symbols, word, low, high) - low
        if tier == PREFIX:
            return high - low
        first, last = self._word_range(word)
        count = high - low + self._posted[last] - self._posted[first]
        return count if tier == WORD else max(count, self._sample.count(word) * _SAMPLED)

    def _candidates(self, word: str, tier: int) -> Iterator[int]:
        """Every instrument ``word`` matches at ``tier`` or better, in rank order (ascending ids)."""
        if tier == SUBSTRING:
            return self._containing(word)
        low, high = self._symbol_range(word)
        if tier <= PREFIX:
            return iter(sorted(self._sorted_ids[low:high]))
        first, last = self._word_range(word)
        postings = self._postings[first:last]
        if high - low + self._posted[last] - self._posted[first] <= _SORTED:
            return iter(sorted(set(self._sorted_ids[low:high]).union(*postings)))
        return _unique(heapq.merge(sorted(self._sorted_ids[low:high]), *postings))  # lazy: the first few suffice

    def _spelt(self, spellings: frozenset[str]) -> list[int]:
        """The instruments that have one of ``spellings`` as a word or as their trading symbol."""
        ids = {at for spelling in spellings for at in self._by_word.get(spelling, ())}
        for spelling in spellings:
            low = bisect_left(self._sorted_symbols, spelling)
            ids.update(self._sorted_ids[low:bisect_right(self._sorted_symbols, spelling, low)])
        return sorted(ids)

    def _containing(self, word: str) -> Iterator[int]:
        text, starts, at = self._text, self._starts, self._text.find(word)
        while at >= 0:
            index = bisect_right(starts, at) - 1
            yield index
            following = starts[index + 1] if index + 1 < len(starts) else len(text)
            at = text.find(word, following)

    def _close_words(self, word: str) -> frozenset[str]:
        """Words of the index that ``word`` may be a misspelling of."""
        if len(word) < 4 or not word.isalpha():
            return frozenset()
        shared = Counter(at for gram in _grams(word) for at in self._by_gram.get(gram, ()))
        close = [(ratio, self._spellable[at]) for at, _ in shared.most_common(40)
                 if abs(len(self._spellable[at]) - len(word)) <= 2
                 and (ratio := difflib.SequenceMatcher(None, word, self._spellable[at]).ratio()) >= 0.75]
        return frozenset(spelling for _, spelling in sorted(close, reverse=True)[:5])

    # -- derivatives of an underlying -----------------------------------------------------------------

    def _contracts(self, underlying: str, exchange: Exchange | str | None) -> list[Instrument]:
        items = [self._items[at] for at in self._derivatives.get(underlying.strip().upper(), [])]
        if exchange is None:
            return items
        wanted = Exchange(str(exchange).upper())
        return [item for item in items if item.exchange is wanted]

    def expiries(self, underlying: str, *, exchange: Exchange | str | None = None) -> list[dt.date]:
        """The expiries of an underlying's futures and options, ascending."""
        return sorted({item.expiry for item in self._contracts(underlying, exchange) if item.expiry})

    def options(self, underlying: str, expiry: dt.date, *, exchange: Exchange | str | None = None) -> list[Instrument]:
        """The calls and puts of one expiry, by strike (the call first at each)."""
        found = [item for item in self._contracts(underlying, exchange)
                 if item.expiry == expiry and item.instrument_type is not InstrumentType.FUT]
        return sorted(found, key=lambda item: (item.strike or 0, item.instrument_type is InstrumentType.PE))

    def nearest_expiry(self, underlying: str, today: dt.date, *,
                       exchange: Exchange | str | None = None) -> dt.date | None:
        """The first expiry on or after ``today`` (an expiry day's own contracts are still live)."""
        return next((expiry for expiry in self.expiries(underlying, exchange=exchange) if expiry >= today), None)


def _unique(ids: Iterable[int]) -> Iterator[int]:
    previous = -1
    for at in ids:
        if at != previous:
            yield at
            previous = at
