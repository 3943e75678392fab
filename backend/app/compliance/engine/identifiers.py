"""Direct identifiers: e-mail, phone, IBAN, KVNR and other insurance numbers, case numbers,
dates (of birth) and street addresses. Checksums raise confidence (``detail="valid"``); they
never decide alone whether something is personal data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import phonenumbers
from stdnum import iban as stdnum_iban

from app.compliance.engine.hits import Hit
from app.compliance.engine.lexicon import MONTHS_DE, MONTHS_EN

# --- e-mail ------------------------------------------------------------------------------
_EMAIL = re.compile(r"\b[\w.+-]+@(?:[\w-]+\.)+[a-zA-Z]{2,}\b")
FREEMAIL = frozenset(
    """gmail.com googlemail.com web.de gmx.de gmx.net gmx.at gmx.ch t-online.de yahoo.com
    yahoo.de yahoo.co.uk hotmail.com hotmail.de hotmail.co.uk outlook.com outlook.de live.com
    live.de msn.com icloud.com me.com mac.com aol.com aol.de posteo.de posteo.net mailbox.org
    freenet.de arcor.de online.de mail.de email.de proton.me protonmail.com tutanota.com
    tuta.io gmx.com mail.com bluewin.ch""".split()
)
ROLE_LOCAL_PARTS = re.compile(
    r"^(?:info|kontakt|contact|presse|press|media|bewerbung|bewerbungen|jobs|karriere|careers?|"
    r"recruiting|service|patientenservice|patienten|patients|feedback|lob|beschwerde|"
    r"lob-und-kritik|kritik|datenschutz|privacy|dpo|empfang|reception|sekretariat|office|"
    r"verwaltung|fortbildung|events?|veranstaltungen|spenden|fundraising|foerderverein|"
    r"förderverein|termine?|appointments|anmeldung|ambulanz|notaufnahme|pflege|"
    r"pflegedirektion|aerztliche-direktion|direktion|hello|hallo|team|support|noreply|"
    r"no-reply|webmaster|social|socialmedia|kommunikation|communications|billing|"
    r"abrechnung|rechnung|qm|hygiene|seelsorge|sozialdienst|pr|marketing)(?:[._-].*)?$",
    re.IGNORECASE,
)


def emails(text: str) -> list[Hit]:
    return [Hit("EMAIL", m.start(), m.end()) for m in _EMAIL.finditer(text)]


# --- phone -------------------------------------------------------------------------------
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()/.\-]{4,22}\d(?!\w)")
_REGIONS = ("DE", "AT", "CH", "US", "GB")
# Public numbers: emergency, medical on-call service, helplines, poison centres (DE: 19240).
_PUBLIC = re.compile(r"^(?:112|110|115|116\d{3}|19222|19240|911|999|988|111|18\d{2})$")
_PUBLIC_SUFFIX = ("19240", "19222")


def _regions(raw: str) -> tuple[str, ...]:
    """Regions worth trying for a candidate, by its shape (saves most parser calls)."""
    stripped = raw.lstrip("( ")
    if stripped.startswith(("+", "00")):
        return ("DE",)
    if stripped.startswith("0"):
        return ("DE", "AT", "CH", "GB")
    return ("US", "DE")


def phones(text: str, exclude: Sequence[Hit] = ()) -> list[Hit]:
    """Phone numbers valid in DE, AT, CH, US or GB (``Leniency.VALID``); ``detail`` is
    ``public|tollfree|mobile|landline`` and the E.164 form. Candidates overlapping ``exclude``
    (dates, case numbers, IBANs) are skipped."""
    hits: list[Hit] = []
    for cand in _PHONE_CANDIDATE.finditer(text):
        raw = cand.group()
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 6 or len(digits) > 15:
            continue
        if re.fullmatch(r"\(?\d{1,2}\.\d{1,2}\.\d{2,4}\)?", raw.strip()):
            continue  # a date
        if any(h.overlaps(cand.start(), cand.end()) for h in exclude):
            continue
        for region in _regions(raw):
            found = False
            for match in phonenumbers.PhoneNumberMatcher(
                raw, region, leniency=phonenumbers.Leniency.VALID
            ):
                number = match.number
                national = str(number.national_number)
                kind = phonenumbers.number_type(number)
                if national.endswith(_PUBLIC_SUFFIX) or _PUBLIC.match(national):
                    detail = "public"
                elif kind in (phonenumbers.PhoneNumberType.TOLL_FREE,):
                    detail = "tollfree"
                elif kind == phonenumbers.PhoneNumberType.MOBILE:
                    detail = "mobile"
                else:
                    detail = "landline"
                start = cand.start() + match.start
                hits.append(
                    Hit(
                        "PHONE",
                        start,
                        start + len(match.raw_string),
                        detail
                        + ":"
                        + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                    )
                )
                found = True
            if found:
                break
    return hits


def e164(number: str) -> str | None:
    for region in _REGIONS:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


# --- IBAN --------------------------------------------------------------------------------
_IBAN = re.compile(
    r"\b(?:[A-Z]{2} ?|[A-Za-z]{2})\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?\b"
)


def ibans(text: str) -> list[Hit]:
    hits: list[Hit] = []
    for m in _IBAN.finditer(text):
        compact = m.group().replace(" ", "").upper()
        if sum(c.isdigit() for c in compact) < 10 or not 15 <= len(compact) <= 34:
            continue
        detail = "valid" if stdnum_iban.is_valid(compact) else "invalid"
        hits.append(Hit("IBAN", m.start(), m.end(), detail))
    return hits


# --- insurance numbers ---------------------------------------------------------------------
_KVNR = re.compile(r"(?<![\w-])([A-Za-z])[ -]?(\d(?:[ -]?\d){8})(?![\w-])")


def kvnr_valid(letter: str, digits: str) -> bool:
    """The GKV check digit: letter as 01..26, then the first 8 digits; weights 1,2,1,2…;
    sum of the products' digit sums, modulo 10, equals the ninth digit."""
    number = f"{ord(letter.upper()) - 64:02d}" + digits[:8]
    total = 0
    for i, ch in enumerate(number):
        product = int(ch) * (1 if i % 2 == 0 else 2)
        total += product // 10 + product % 10
    return total % 10 == int(digits[8])


_INSURANCE_CONTEXT = re.compile(
    r"(?:versicherten-?\s?(?:nummer|nr\.?)|versicherungsnummer|versicherungs-?nr\.?|"
    r"kv-?\s?nummer|krankenkassen-?\s?(?:nummer|nr\.?)|kassen-?nummer|versichertennr\.?|"
    r"krankenversichertennummer|kvnr|kv-nr\.?|mitgliedsnummer|mitglieds-?nr\.?|"
    r"gesundheitskarte|krankenkasse|kasse|"
    r"member\s?(?:id|number|no\.?|#)|policy\s?(?:number|no\.?|#|id)|insurance\s?(?:number|no\.?|id|#)|"
    r"subscriber\s?id|medicare\s?(?:number|id|#)|medicaid\s?(?:number|id|#)|health\s?card)",
    re.IGNORECASE,
)
_ID_TOKEN = re.compile(r"(?<![\w-])(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,}[A-Z0-9](?![\w-])")


def insurance_numbers(text: str) -> list[Hit]:
    hits: list[Hit] = []
    for m in _KVNR.finditer(text):
        letter, digits = m.group(1), re.sub(r"\D", "", m.group(2))
        valid = letter.isupper() and kvnr_valid(letter, digits)
        context = bool(_INSURANCE_CONTEXT.search(text, max(0, m.start() - 60), m.start()))
        if letter.islower() and not context:
            continue
        detail = "valid" if valid else ("context" if context else "shape")
        hits.append(Hit("INSURANCE_NUMBER", m.start(), m.end(), detail))
    for ctx in _INSURANCE_CONTEXT.finditer(text):
        if ctx.group().lower() in {"kasse", "krankenkasse", "gesundheitskarte"}:
            continue
        window_end = min(len(text), ctx.end() + 40)
        idm = _ID_TOKEN.search(text, ctx.end(), window_end)
        if idm and not any(h.overlaps(idm.start(), idm.end()) for h in hits):
            hits.append(Hit("INSURANCE_NUMBER", idm.start(), idm.end(), "context"))
    return hits


# --- case / record numbers -------------------------------------------------------------------
_CASE_CONTEXT = re.compile(
    r"\b(?:fallnummer|fall-?nr\.?|fallnr\.?|aufnahmenummer|aufnahme-?nr\.?|patientennummer|"
    r"patienten-?nr\.?|patienten-?id|patientenidentifikationsnummer|pid|mrn|aktenzeichen|"
    r"akten-?nr\.?|aktennummer|krankenblattnummer|befundnummer|auftragsnummer des befundes|"
    r"medical record(?:\s?(?:number|no\.?|#))?|record\s?(?:number|no\.?|#)|"
    r"chart\s?(?:number|no\.?|#)|patient\s?(?:id|number|no\.?|#)|encounter\s?(?:id|number)|"
    r"case\s?(?:number|no\.?|#|id)|hospital number|visit number|vorgangs-?(?:nummer|nr\.?)|"
    r"\bref\.|reference\s?(?:number|no\.?|#)?|your ref|unser zeichen|ihr zeichen|az\.)",
    re.IGNORECASE,
)
_BARE_CASE = re.compile(r"\b(?:case|fall)\s?#?:?\s?(\d[\d\-/]{3,}\d)\b", re.IGNORECASE)
_CASE_ID = re.compile(
    r"(?<![\w])(?=[A-Za-z0-9\-/.]*\d[A-Za-z0-9\-/.]*\d[A-Za-z0-9\-/.]*\d)"
    r"[A-Za-z0-9](?:[A-Za-z0-9]|[-/.](?=[A-Za-z0-9])){3,}(?![\w])"
)


def case_numbers(text: str) -> list[Hit]:
    hits: list[Hit] = []
    for ctx in _CASE_CONTEXT.finditer(text):
        idm = _CASE_ID.search(text, ctx.end(), min(len(text), ctx.end() + 30))
        if idm:
            hits.append(Hit("CASE_NUMBER", idm.start(), idm.end()))
    for m in _BARE_CASE.finditer(text):
        if len(re.sub(r"\D", "", m.group(1))) >= 5 and not any(
            h.overlaps(m.start(1), m.end(1)) for h in hits
        ):
            hits.append(Hit("CASE_NUMBER", m.start(1), m.end(1)))
    return hits


# --- dates -------------------------------------------------------------------------------
_MONTH_NAMES = "|".join(sorted({*MONTHS_DE, *MONTHS_EN}, key=len, reverse=True))
_DATE = re.compile(
    r"\b(?:"
    r"(?P<d1>\d{1,2})[./](?P<m1>\d{1,2})[./](?P<y1>\d{4}|\d{2})(?![\d.]\d)"
    r"|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    r"|(?P<m5>\d{1,2})-(?P<d5>\d{1,2})-(?P<y5>\d{4})"
    rf"|(?P<d3>\d{{1,2}})\.?\s?(?P<mn3>{_MONTH_NAMES})\.?,?\s(?P<y3>\d{{4}})"
    rf"|(?P<mn4>{_MONTH_NAMES})\.?\s(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?,?\s(?P<y4>\d{{4}})"
    r")\b",
    re.IGNORECASE,
)
_BIRTH_BEFORE = re.compile(
    r"(?:\bgeb\.?|\bgeboren(?:\s+am)?|\bgeburtsdatum|\bgeb\.-?datum|\bgeburtstag\s+am|\*|"
    r"\(\s*b\.|\bdob|\bd\.o\.b\.?|\bborn(?:\s+on)?|\bdate\s+of\s+birth|\bbirth\s?date|\bbirthday)"
    r"[\s:,(]*(?:am|on|is|ist|lautet)?[\s:(]*$",
    re.IGNORECASE,
)
_BIRTH_AFTER = re.compile(r"^\s*(?:geboren|zur welt gekommen|born)\b", re.IGNORECASE)
_BIRTH_YEAR = re.compile(
    r"(?:\bjahrgang|\bjg\.?|\bborn\s+in|\bgeboren\s+(?:im\s+jahr\s+)?|\*\s?)\s?(?P<y>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_BIRTH_YEAR_SHORT = re.compile(
    r"(?:\bjahrgang|\bjg\.?|\bbj\.?)\s?'?(?P<y>\d{2})\b(?![.,:/]?\d)", re.IGNORECASE
)


def dates(text: str) -> list[Hit]:
    """Every full date; ``detail`` is ``birth`` with a birth cue, else ``old`` or ``recent``."""
    this_year = dt.datetime.now(dt.UTC).year
    hits: list[Hit] = []
    for m in _DATE.finditer(text):
        year_text = (
            m.group("y1") or m.group("y2") or m.group("y3") or m.group("y4") or m.group("y5")
        )
        year = int(year_text)
        if year < 100:
            year += 1900 if year > this_year % 100 else 2000
        window = text[max(0, m.start() - 30) : m.start()]
        if _BIRTH_BEFORE.search(window) or _BIRTH_AFTER.match(text[m.end() : m.end() + 30]):
            detail = "birth"
        elif year <= this_year - 5:
            detail = "old"
        else:
            detail = "recent"
        hits.append(Hit("DATE", m.start(), m.end(), detail))
    for pattern in (_BIRTH_YEAR, _BIRTH_YEAR_SHORT):
        for m in pattern.finditer(text):
            if not any(h.overlaps(m.start(), m.end()) for h in hits):
                hits.append(Hit("DATE", m.start(), m.end(), "birth"))
    return hits


# --- street addresses ----------------------------------------------------------------------
_STREET_SUFFIX = (
    r"(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|pfad|steig|"
    r"markt|kai|wall|graben|berg|hof|garten|park|feld|stieg|twiete|kamp|brücke|tor)"
)
_CAP = r"[A-ZÄÖÜ][\wäöüß.'-]*"
_DE_ADDRESS = re.compile(
    rf"(?:\b(?:Am|An der|An den|Auf der|Auf dem|Im|In der|Zum|Zur|Unter den|Hinter der|Vor dem)\s+{_CAP}"
    rf"|\b{_CAP}{_STREET_SUFFIX}"
    r"|\b(?:[A-ZÄÖÜ][\wäöüß]*(?:er|e|es|en)\s){1,2}(?:Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm|Ufer|Chaussee))"
    r"\s?(?P<no>\d{1,4}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,4}[a-z]?)?)\b"
    r"(?:,?\s(?:in\s)?(?P<plz>\d{5})\s(?P<town>[A-ZÄÖÜ][\wäöüß-]+(?:\s(?:an der|am|im)\s[A-ZÄÖÜ][\wäöüß]+)?))?",
)
_EN_ADDRESS = re.compile(
    r"\b\d{1,5}\s(?:[A-Z][a-z]+\s){1,3}(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|"
    r"Drive|Dr\.?|Boulevard|Blvd\.?|Way|Court|Ct\.?|Place|Pl\.?|Terrace|Close|Crescent|Grove|"
    r"Parkway|Pkwy\.?|Highway|Hwy\.?|Square|Row|Gardens|Mews)\b"
    r"(?:,?\s(?:Apt\.?|Unit|Suite|Flat)\s?\w+)?"
    r"(?:,\s[A-Z][a-z]+(?:\s[A-Z][a-z]+)?(?:,\s[A-Z]{2})?(?:\s\d{5}(?:-\d{4})?)?)?"
    r"(?:,?\s[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})?"
)
_PUBLIC_NUMBERS = frozenset(
    {"110", "112", "115", "116117", "116116", "19222", "911", "999", "988", "111"}
)
_PLZ_TOWN = re.compile(r"\b\d{5}\s[A-ZÄÖÜ][a-zäöüß]+")
_NOT_STREET_START = frozenset(
    {"Die", "Der", "Das", "Den", "Dem", "Ein", "Eine", "Zimmer", "Station", "Bett", "Haus",
     "Raum", "Tag", "Jahr", "Woche", "Seit", "Ab", "Bis", "Um", "Von", "Am", "Im"}
)  # fmt: skip


def addresses(text: str) -> list[Hit]:
    hits: list[Hit] = []
    for m in _DE_ADDRESS.finditer(text):
        first = m.group().split()[0]
        if first in _NOT_STREET_START and not re.match(
            r"(?:Am|Im|An|Auf|In|Zum|Zur|Unter|Hinter|Vor)\s+[A-ZÄÖÜ]", m.group()
        ):
            continue
        if first in {"Am", "Im"} and re.match(r"(?:Am|Im)\s+\S+\s+\d{1,2}\.", m.group()):
            continue  # "Am Samstag 21.09." is a date
        if re.sub(r"\s", "", m.group("no")) in _PUBLIC_NUMBERS:
            continue  # "Im Zweifel 112"
        hits.append(Hit("ADDRESS", m.start(), m.end(), "plz" if m.group("plz") else ""))
    for m in _EN_ADDRESS.finditer(text):
        hits.append(Hit("ADDRESS", m.start(), m.end()))
    return hits
