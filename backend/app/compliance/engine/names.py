"""First- and last-name gazetteers, loaded once from Faker's person providers (not copied).

``FIRST_CORE`` holds the German- and English-speaking locales; ``FIRST_ALL`` and ``LAST_ALL``
add the other Latin-script locales, so names of people from many backgrounds are known. Names
that are also ordinary words (``Will``, ``Hope``, ``Mai``) are dropped.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable

from app.compliance.engine.lexicon import COMMON_WORDS

_CORE_LOCALES = ("de_DE", "de_AT", "de_CH", "en_US", "en_GB", "en_IE")
_OTHER_LOCALES = (
    "en", "en_NZ", "en_IN", "en_KE", "en_PK", "fr_FR", "it_IT", "es_ES", "pl_PL", "tr_TR",
    "nl_NL", "pt_PT", "hr_HR", "cs_CZ", "sk_SK", "sv_SE", "da_DK", "no_NO", "fi_FI", "hu_HU",
    "ro_RO", "sl_SI", "lt_LT", "lv_LV", "et_EE", "az_AZ", "id_ID",
)  # fmt: skip
_NEVER_FIRST = frozenset("can allen april august june may".split())
_LATIN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, dict):
        return (str(k) for k in value)
    if isinstance(value, (tuple, list, set, frozenset)):
        return (str(v) for v in value)
    return ()


def _load(locales: Iterable[str]) -> tuple[set[str], set[str]]:
    first: set[str] = set()
    last: set[str] = set()
    for locale in locales:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # pragma: no cover - a locale missing from an older Faker
            continue
        for attr in ("first_names", "first_names_male", "first_names_female"):
            first.update(_strings(getattr(provider, attr, ())))
        last.update(_strings(getattr(provider, "last_names", ())))
    keep = _LATIN.fullmatch
    return (
        {n.lower() for n in first if keep(n) and len(n) > 1},
        {n.lower() for n in last if keep(n) and len(n) > 1},
    )


def _build() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    core_first, core_last = _load(_CORE_LOCALES)
    other_first, other_last = _load(_OTHER_LOCALES)
    first_all = (core_first | other_first) - COMMON_WORDS
    return (
        frozenset(core_first - COMMON_WORDS),
        frozenset(first_all),
        frozenset(core_last | other_last),
        frozenset(core_first & COMMON_WORDS - _NEVER_FIRST),
    )


FIRST_CORE, FIRST_ALL, LAST_ALL, FIRST_AMBIGUOUS = _build()
"""``FIRST_AMBIGUOUS``: first names that are also ordinary words (``Frank``, ``Mark``, ``Rose``);
they count only when a known surname follows."""
