"""Amounts as a tax receipt writes them: in figures ("1 234,50") and in words, in French.

A receipt (CERFA 11580*05) is a French document: the amount "en toutes lettres" is always
French, whatever the language of the site the donor used. num2words gives the number
("mille deux cent trente-quatre", traditional spelling: "vingt et un", "quatre-vingts",
"deux cents"); its own `to="currency"` output is not used, as it writes "zéro centimes",
"un million euros" and "zéro euros et cinquante centimes". The rules here:

- "un euro", "deux euros"; "un centime", "cinquante centimes";
- "et" between euros and cents only when both are there: "vingt-cinq euros",
  "vingt-cinq euros et cinquante centimes", "cinquante centimes";
- "d'euros" after a number that ends with "million(s)" or "milliard(s)": "un million d'euros",
  but "un million cent euros".
"""

from __future__ import annotations

from num2words import num2words

NBSP = "\u00a0"


def _number(value: int) -> str:
    return num2words(value, lang="fr")


def _euros(whole: int) -> str:
    words = _number(whole)
    if words.endswith(("million", "millions", "milliard", "milliards")):
        return f"{words} d'euros"
    return f"{words} {'euro' if whole <= 1 else 'euros'}"


def _centimes(rest: int) -> str:
    return f"{_number(rest)} {'centime' if rest == 1 else 'centimes'}"


def amount_in_words(cents: int) -> str:
    """`cents` (a non-negative integer) in French words: 123450 → "mille deux cent trente-quatre
    euros et cinquante centimes"."""
    cents = int(cents)
    if cents < 0:
        raise ValueError("An amount in words cannot be negative.")
    whole, rest = divmod(cents, 100)
    if whole and rest:
        return f"{_euros(whole)} et {_centimes(rest)}"
    if rest:
        return _centimes(rest)
    return _euros(whole)


def amount_in_figures(cents: int) -> str:
    """`cents` as the receipt's "somme de ***…*** euros" writes it: "1 234,50", "25,00"
    (always two decimals, a no-break space between thousands)."""
    cents = int(cents)
    whole, rest = divmod(abs(cents), 100)
    groups = f"{whole:,}".replace(",", NBSP)
    return f"{'-' if cents < 0 else ''}{groups},{rest:02d}"
