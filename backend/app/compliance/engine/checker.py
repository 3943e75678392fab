"""The decision layer (compliance.md FEAT-2, PII-8): which recognised spans become findings,
and with which severity.

- direct identifiers block: a date of birth, insurance and case numbers, an IBAN, a private
  phone number, e-mail or street address;
- a name blocks only with patient context (care words, a diagnosis, a ward, a relation word,
  an identifier, a reply that confirms treatment); staff names never block;
- a diagnosis or a ward blocks only when tied to a person in the same sentence;
- the organisation's own numbers, addresses and e-mails, public numbers and event dates pass.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from app.compliance.engine import hwg, identifiers, replies
from app.compliance.engine.findings import AllowList, Finding, Kind, Severity
from app.compliance.engine.health import diagnoses, wards
from app.compliance.engine.hits import Hit
from app.compliance.engine.lexicon import (
    CARE_WORDS,
    CONTACT_CUE,
    EVENT_CONTEXT,
    EVENT_ROOM_BEFORE,
    JOB_AD,
    PATIENT_CUES,
    STAFF_CONTEXT,
    STAFF_INTRO,
    STAFF_ROLE,
    STAFF_TITLES,
)
from app.compliance.engine.persons import Name, Reference, find_names, references
from app.compliance.engine.text import (
    Normalised,
    Sentence,
    Token,
    normalise,
    sentences,
    tokenize,
)

MESSAGES: dict[tuple[str, str], str] = {
    ("pii.name", "block"): "Name mit Patientenbezug: Die Person wird als Patient/in oder "
    "Angehörige/r erkennbar. Name entfernen oder schriftliche Einwilligung sicherstellen.",
    ("pii.birthdate", "block"): "Geburtsdatum einer Person – entfernen.",
    ("pii.birthdate", "warn"): "Datum bei einer Person – falls es ein Geburtsdatum ist, entfernen.",
    ("pii.phone", "block"): "Private Telefonnummer – entfernen; nur Nummern der Klinik nennen.",
    ("pii.phone", "warn"): "Telefonnummer prüfen: nur veröffentlichen, wenn es eine Nummer der "
    "Klinik ist.",
    ("pii.email", "block"): "Private E-Mail-Adresse – entfernen.",
    ("pii.email", "warn"): "E-Mail-Adresse prüfen: nur Adressen der Klinik veröffentlichen.",
    ("pii.address", "block"): "Private Anschrift – entfernen.",
    ("pii.address", "warn"): "Anschrift prüfen: nur die Adresse der Klinik veröffentlichen.",
    ("pii.insurance_number", "block"): "Versichertennummer – darf nicht veröffentlicht werden; "
    "entfernen.",
    ("pii.insurance_number", "warn"): "Mögliche Versichertennummer – prüfen und entfernen.",
    ("pii.case_number", "block"): "Fall- oder Patientennummer – entfernen.",
    ("pii.ward_room", "block"): "Station, Zimmer oder Bett einer Person – verrät den Aufenthalt; "
    "entfernen.",
    ("pii.iban", "block"): "Bankverbindung (IBAN) einer Person – entfernen.",
    ("pii.iban", "warn"): "IBAN prüfen: nur das Konto der Klinik veröffentlichen.",
    ("phi.diagnosis", "block"): "Gesundheitsangabe zu einer erkennbaren Person (Art. 9 DSGVO) – "
    "entfernen oder schriftliche Einwilligung sicherstellen.",
    ("reply.confirms_patient", "block"): "Die Antwort bestätigt ein Behandlungsverhältnis "
    "(Schweigepflicht). Stattdessen die freigegebene Standardantwort nutzen: danken, auf den "
    "Datenschutz hinweisen, Kontakt zum Patientenservice anbieten.",
    ("reply.individual_advice", "warn"): "Individuelle medizinische Beratung in einer Antwort – "
    "online nicht geben; auf Hausarztpraxis, 116117 oder im Notfall 112 verweisen.",
    ("pii.reidentification", "warn"): "Mehrere Einzelangaben (Alter, Ort, Station, Datum) "
    "zusammen können eine Person erkennbar machen – Angaben reduzieren.",
}

_ORG_PHONE = re.compile(
    r"\b(?:zentrale|hotline|telefon\w*|tel|fon|sekretariat|service\w*|\w*service|"
    r"patienten-?service\w*|info-?telefon|bürgertelefon|ambulanz|anmeldung|termin\w*|"
    r"sprechstunde|sprechzeiten|unser\w*|uns|office|helpline|switchboard|front desk|reception|"
    r"call us|our|team|fax|durchwahl|bereitschaftsdienst|notruf|giftnotruf|poison|"
    r"information|infos?|fragen|questions|beratung\w*|contact|kontakt|"
    r"ansprechpartner\w*|bewerbung\w*|karriere|recruit\w*)\b",
    re.IGNORECASE,
)
_ORG_ADDRESS = re.compile(
    r"\b(?:sie finden uns|finden sie uns|besuchen sie uns|(?:unser\w*|our)\s+(?:neue[snr]?\s+|new\s+)?"
    r"(?:klinikum|klinik|krankenhaus|haus|standort|campus|praxis|zentrum|mvz|hospital|clinic|"
    r"office|address|adresse|main entrance|center|centre|building)|haupteingang|eingang|"
    r"anfahrt|standort|parkhaus|erreichbar|visit us|find us|located (?:at|on)|"
    r"main entrance|entrance|parking|tag der offenen tür|open day|veranstaltung\w*|"
    r"vortrag|event)\b",
    re.IGNORECASE,
)
_IBAN_CONTEXT = re.compile(
    r"\b(?:iban|konto\w*|bankverbindung|überweis\w*|erstatt\w*|rückerstatt\w*|rückzahl\w*|"
    r"zahlung|refund\w*|account|bank|transfer|bic|sepa)\b",
    re.IGNORECASE,
)
_DONATION = re.compile(
    r"\b(?:spende\w*|spenden\w*|förderverein\w*|foerderverein\w*|freundeskreis\w*|donat\w*|"
    r"fundrais\w*|charity|stiftung\w*|verwendungszweck|stichwort|e\.\s?v\.|ggmbh)",
    re.IGNORECASE,
)
_PERSON_ADDRESS = re.compile(
    r"\b(?:aus der|aus dem|wohnt|wohnhaft|wohnen|lives|living at|adresse|anschrift|address|"
    r"schicken|senden|geschickt|gesendet|send|sent|mail(?:ed)?|post)\b",
    re.IGNORECASE,
)
_AGE = re.compile(
    r"\b\d{1,3}\s?-?(?:jährige[rnms]?|jähriger|j\.|jahre alt|years? old|-year-old|yo)\b"
    r"|\(\d{1,3}\)|,\s\d{1,3},|\b(?:aged?|alter von)\s\d{1,3}\b",
    re.IGNORECASE,
)
_PLACE = re.compile(r"\b(?:aus|from|in)\s(?-i:[A-ZÄÖÜ][a-zäöüß]+(?:[- ][A-ZÄÖÜ][a-zäöüß]+)?)")
_TIME = re.compile(
    r"\b(?:gestern|heute|vorgestern|letzte[nrs]? (?:woche|nacht|montag|dienstag|mittwoch|"
    r"donnerstag|freitag|samstag|sonntag)|am (?:montag|dienstag|mittwoch|donnerstag|freitag|"
    r"samstag|sonntag)|yesterday|today|last (?:night|week|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"\d{1,2}\.\d{1,2}\.(?:\d{2,4})?)\b",
    re.IGNORECASE,
)
# A ward right next to a name: "Frau Kessler (Station 8)", "Station 8, Frau Kessler".
_ATTACHED = re.compile(
    r"\s*[,(;:/-]?\s*(?:(?:Herrn?|Frau|Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Patient(?:in)?)\s+)?"
)
_POSSESSED = re.compile(
    r"(?i)\b(?:ihr\w*|dein\w*|sein\w*|mein\w*|your|his|her|my)\s+(?:\w+\s+){0,2}$"
)
_SERVICE_NOUNS = frozenset(
    """advocate advocacy service services relations office feedback experience portal safety
    information info line hotline care""".split()
)
_LOCATIVE_BEFORE = re.compile(
    r"(?i)\b(?:auf|in|im|zur|zum|von|vom|aus|on|at|from|of|into|onto|da)\s+"
    r"(?:(?:der|die|dem|den|das|the|our|unserer|unsere|unserem|his|her|your|ihrer|deiner|"
    r"normale[nr]?|a)\s+)?$"
)
_LOCATIVE_AFTER = re.compile(r"\s+(?:verlassen|verlegt|entlassen|gebracht|left|discharged)\b")
_NOT_PLACE = re.compile(r"(?:ung|heit|keit|schaft|ion|gründen|grund|sicht|tät|nis|ismus|en)$")


@dataclass(slots=True)
class _Out:
    rule: str
    severity: Severity
    start: int | None
    end: int | None
    message: str = ""


def _norm_address(value: str) -> str:
    value = value.lower().replace("strasse", "straße").replace("str.", "straße")
    return re.sub(r"[^\wäöüß]", "", value.split(",")[0])


def check(
    text: str,
    *,
    kind: Kind = "post",
    language: str | None = None,
    category: str | None = None,
    allow: AllowList | None = None,
) -> list[Finding]:
    allow = allow or AllowList()
    norm = normalise(text)
    t = norm.text
    if not t.strip():
        return []
    reply = kind == "reply"
    tokens = tokenize(t)
    sents = sentences(t)
    sent_starts = [s.start for s in sents]

    def sid(pos: int) -> int:
        return max(0, bisect_right(sent_starts, pos) - 1)

    token_sentence_start = [sents[sid(tok.start)].start for tok in tokens]
    diag = diagnoses(t, tokens)
    ward = wards(t)
    blocked = {tok.start for tok in tokens for h in (*diag, *ward) if h.start <= tok.start < h.end}
    names = find_names(
        t, tokens, token_sentence_start, blocked_positions=blocked, staff_names=allow.staff_names
    )
    refs = references(t, tokens)
    relations = [r for r in refs if r.kind == "relation"]
    _mark_staff_by_context(t, tokens, sents, sid, names, diag, relations)
    persons = [n for n in names if not n.staff]
    second = [r for r in refs if r.kind == "second"] if reply else []
    third = [r for r in refs if r.kind == "third"] if reply else []
    care_sentences = {
        sid(tok.start)
        for i, tok in enumerate(tokens)
        if tok.lower in CARE_WORDS
        and not (i + 1 < len(tokens) and tokens[i + 1].lower in _SERVICE_NOUNS)
        and not EVENT_ROOM_BEFORE.search(t, max(0, tok.start - 25), tok.start)
    }

    def names_in(s: int, radius: int = 0) -> list[Name]:
        return [
            n for n in persons if abs(sid(n.start) - s) <= (0 if n.cue == "greeting" else radius)
        ]

    def refs_in(items: list[Reference], s: int, radius: int = 0) -> list[Reference]:
        return [r for r in items if abs(sid(r.start) - s) <= radius]

    def person_in(s: int) -> bool:
        return bool(names_in(s) or refs_in(relations, s) or refs_in(third, s))

    out: list[_Out] = []

    def emit(rule: str, severity: Severity, start: int | None, end: int | None) -> None:
        out.append(_Out(rule, severity, start, end))

    ward = [
        h for h in ward if not EVENT_ROOM_BEFORE.search(t, max(0, h.start - 25), h.start)
    ]  # "Hörsaal 2", "Seminar Room 4", "Konferenzraum Zimmer 104" are venues
    # "the talk on knee replacement", "Vortrag über Demenz": the topic of an event, no one's
    diag = [
        h
        for h in diag
        if not (
            EVENT_CONTEXT.search(t, sents[sid(h.start)].start, sents[sid(h.start)].end)
            and not refs_in(relations, sid(h.start))
            and not _POSSESSED.search(t, max(0, h.start - 25), h.start)
        )
    ]
    located_wards = [
        h
        for h in ward
        if any(
            _ATTACHED.fullmatch(t, min(n.end, h.end), max(n.start, h.start))
            for n in persons
            if n.end <= h.start or h.end <= n.start
        )
        or (
            h.detail in ("numbered", "code", "department")
            and not re.match(r"(?i)(?:station|ward)\b", t[h.start : h.end])
        )
        or _LOCATIVE_BEFORE.search(t, max(0, h.start - 25), h.start)
        or _LOCATIVE_AFTER.match(t, h.end)
        or sid(h.start) in care_sentences
    ]

    # --- identifiers ------------------------------------------------------------------------
    allowed_phones = {p for p in (identifiers.e164(x) for x in allow.phones) if p}
    case_hits = identifiers.case_numbers(t)
    date_hits = identifiers.dates(t)
    iban_hits = identifiers.ibans(t)
    insurance_hits = identifiers.insurance_numbers(t)
    other_numbers = [*case_hits, *date_hits, *iban_hits, *insurance_hits]
    for h in identifiers.phones(t, other_numbers):
        phone_kind, number = h.detail.split(":", 1)
        if phone_kind in ("public", "tollfree") or number in allowed_phones:
            continue
        s = sid(h.start)
        org = _ORG_PHONE.search(t, sents[s].start, sents[s].end)
        if person_in(s) or (phone_kind == "mobile" and not org):
            emit("pii.phone", "block", h.start, h.end)
        elif not org:
            emit("pii.phone", "warn", h.start, h.end)

    allowed_emails = {e.lower() for e in allow.emails}
    allowed_domains = {e.lower().split("@")[-1] for e in allow.emails}
    for h in identifiers.emails(t):
        value = t[h.start : h.end].lower()
        local, _, domain = value.partition("@")
        if value in allowed_emails or domain in allowed_domains:
            continue
        if identifiers.ROLE_LOCAL_PARTS.match(local):
            continue
        s = sid(h.start)
        if domain in identifiers.FREEMAIL or person_in(s) or (reply and refs_in(second, s)):
            emit("pii.email", "block", h.start, h.end)
        elif not any(n.staff for n in names if sid(n.start) == s):
            emit("pii.email", "warn", h.start, h.end)

    allowed_addresses = {_norm_address(a) for a in allow.addresses}
    for h in identifiers.addresses(t):
        if _norm_address(t[h.start : h.end]) in allowed_addresses:
            continue
        s = sid(h.start)
        sentence = t[sents[s].start : sents[s].end]
        if _ORG_ADDRESS.search(sentence) and not person_in(s):
            continue
        if person_in(s) or reply or _PERSON_ADDRESS.search(sentence):
            emit("pii.address", "block", h.start, h.end)
        else:
            emit("pii.address", "warn", h.start, h.end)

    for h in iban_hits:
        s = sid(h.start)
        sentence = t[sents[s].start : sents[s].end]
        if (_DONATION.search(sentence) or _DONATION.search(t)) and not person_in(s):
            emit("pii.iban", "warn", h.start, h.end)  # the Förderverein's account
        elif h.detail == "valid" or _IBAN_CONTEXT.search(sentence) or person_in(s):
            emit("pii.iban", "block", h.start, h.end)
        else:
            emit("pii.iban", "warn", h.start, h.end)

    for h in insurance_hits:
        if any(
            o.rule == "pii.iban" and o.start is not None and o.start <= h.start < (o.end or 0)
            for o in out
        ):
            continue
        emit("pii.insurance_number", "warn" if h.detail == "shape" else "block", h.start, h.end)

    for h in case_hits:
        if any(o.start is not None and o.start <= h.start < (o.end or 0) for o in out):
            continue
        emit("pii.case_number", "block", h.start, h.end)

    for h in date_hits:
        s = sid(h.start)
        if h.detail == "birth":
            emit("pii.birthdate", "block", h.start, h.end)
            continue
        before = t[max(0, h.start - 40) : h.start]
        attached = any(
            re.fullmatch(r"\s*(?:\(\s*|,\s*)", t[n.end : h.start] if n.end <= h.start else "x")
            for n in persons
        )
        if attached or (h.detail == "old" and re.search(r"\(\s*$", before) and person_in(s)):
            emit("pii.birthdate", "block", h.start, h.end)
        elif h.detail == "old" and person_in(s):
            emit("pii.birthdate", "warn", h.start, h.end)

    identifier_block = any(o.severity == "block" for o in out)

    # --- replies: confirming a treatment relationship, individual advice --------------------------
    confirms: list[tuple[int, int]] = []
    if reply:
        confirms = [
            (a, b)
            for a, b in replies.confirms_patient(t)
            if not (
                re.search(r"(?i)unterlagen|documents|papers|application", t[a:b])
                and JOB_AD.search(t, sents[sid(a)].start, sents[sid(a)].end)
            )
        ]
        health_sentences = {sid(h.start) for h in (*diag, *located_wards)} | care_sentences
        for r in relations:
            s = sid(r.start)
            possessive = t[r.start : r.end].split()[0]
            second_person = possessive.startswith("Ihr") or possessive.lower().startswith(
                ("dein", "dei", "your", "ur")
            )
            if s in health_sentences and second_person:
                confirms.append((r.start, sents[s].end))
        for start, end in confirms:
            emit("reply.confirms_patient", "block", start, end)
        for start, end in replies.individual_advice(t):
            emit("reply.individual_advice", "warn", start, end)
    confirm_sentences = {sid(a) for a, _ in confirms}

    # --- wards and diagnoses tied to a person ---------------------------------------------------
    for h in located_wards:
        s = sid(h.start)
        if (
            person_in(s)
            or (reply and (refs_in(second, s) or s in confirm_sentences))
            or (reply and s > 0 and s - 1 in confirm_sentences and person_in(s - 1))
        ):
            emit("pii.ward_room", "block", h.start, h.end)

    for h in diag:
        s = sid(h.start)
        close_second = reply and any(
            0 <= h.start - r.end <= 25 and sid(r.start) == s for r in second
        )
        if (
            names_in(s, radius=1)
            or refs_in(relations, s, radius=1)
            or refs_in(third, s)
            or close_second
            or s in confirm_sentences
        ):
            emit("phi.diagnosis", "block", h.start, h.end)

    # --- names with patient context ---------------------------------------------------------------
    health_by_sentence = {sid(h.start) for h in (*diag, *located_wards)}
    for n in persons:
        s = sid(n.start)
        radius = 0 if n.cue == "greeting" else 1
        window = range(s - radius, s + radius + 1)
        if (
            n.cue in ("patient", "relation")
            or any(w in health_by_sentence or w in care_sentences for w in window)
            or refs_in(relations, s)
            or identifier_block
            or (reply and confirms)
            or (
                reply
                and n.cue == "greeting"
                and any(
                    o.severity == "block" and o.rule in ("pii.ward_room", "phi.diagnosis")
                    for o in out
                )
            )
        ):
            emit("pii.name", "block", n.start, n.end)

    # --- re-identification from quasi-identifiers (FEAT-17) ----------------------------------------
    if not any(o.rule == "pii.name" for o in out):
        _reidentification(t, tokens, diag, located_wards, care_sentences, emit)

    # --- HWG ------------------------------------------------------------------------------------------
    for f in hwg.check(t, sents, category):
        out.append(_Out(f.rule, f.severity, f.start, f.end, f.message))

    return _finish(norm, out)


# Verbs and nouns that tie a person to a treatment: they override staff context.
_TREATED = re.compile(
    r"\b(?:aufgenommen|eingeliefert|entlassen|liegt|lag|operiert|behandelt|verlegt|"
    r"eingewiesen|verstorben|gestorben|diagnostiziert|erkrankt|reanimiert|entbunden|"
    r"admitted|discharged|operated|treated|diagnosed|hospitali[sz]ed|resuscitated|passed away|"
    r"patient|patientin|pat\.)",
    re.IGNORECASE,
)


def _mark_staff_by_context(
    t: str,
    tokens: list[Token],
    sents: list[Sentence],
    sid: Callable[[int], int],
    names: list[Name],
    diag: list[Hit],
    relations: list[Reference],
) -> None:
    """Staff introductions, farewells and job ads (compliance.md §3.5 hard negatives): a name
    in such a sentence, or next to one, is a colleague or a contact person unless its own
    sentence ties it to a treatment (a diagnosis, a relation word, "aufgenommen", "Patientin")."""
    candidates = [n for n in names if not n.staff and n.cue not in ("patient", "relation")]
    if not candidates:
        return
    job_ad = bool(JOB_AD.search(t))
    staff_sentences: set[int] = set()
    contact_from: dict[int, int] = {}
    for i, sentence in enumerate(sents):
        chunk = t[sentence.start : sentence.end]
        if STAFF_CONTEXT.search(chunk) or (job_ad and CONTACT_CUE.search(chunk)):
            staff_sentences.update((i - 1, i, i + 1))
        elif STAFF_INTRO.search(chunk) and any(
            STAFF_ROLE.search(tok.lower) or tok.lower in STAFF_TITLES
            for tok in tokens
            if sentence.start <= tok.start < sentence.end
        ):
            staff_sentences.update((i - 1, i, i + 1))
        else:
            cue = CONTACT_CUE.search(t, sentence.start, sentence.end)
            if cue:  # "Kontakt: Sabine Ortlepp", not "Frau Tammen, bei Rückfragen …"
                contact_from[i] = cue.start()
    treated = {sid(h.start) for h in diag} | {sid(r.start) for r in relations}
    for i, sentence in enumerate(sents):
        if _TREATED.search(t, sentence.start, sentence.end):
            treated.add(i)
    for name in candidates:
        s = sid(name.start)
        if s in treated:
            continue
        if job_ad or s in staff_sentences or name.start > contact_from.get(s, len(t)):
            name.staff = True


def _reidentification(
    t: str,
    tokens: list[Token],
    diag: list[Hit],
    ward: list[Hit],
    care_sentences: set[int],
    emit: Callable[[str, Severity, int | None, int | None], None],
) -> None:
    health = bool(diag) or bool(care_sentences) or any(tok.lower in PATIENT_CUES for tok in tokens)
    if not health:
        return
    spans: list[tuple[int, int]] = []
    kinds = 0
    for pattern in (_AGE, _TIME):
        m = pattern.search(t)
        if m:
            kinds += 1
            spans.append((m.start(), m.end()))
    for m in _PLACE.finditer(t):
        word = m.group().split()[-1]
        if not _NOT_PLACE.search(word.lower()):
            kinds += 1
            spans.append((m.start(), m.end()))
            break
    if ward:
        kinds += 1
        spans.append((ward[0].start, ward[0].end))
    if kinds >= 2:
        emit("pii.reidentification", "warn", min(a for a, _ in spans), max(b for _, b in spans))


def _finish(norm: Normalised, out: list[_Out]) -> list[Finding]:
    seen: set[tuple[str, int | None, int | None]] = set()
    findings: list[Finding] = []
    for o in out:
        if o.start is not None and o.end is not None:
            start, end = norm.original_span(o.start, o.end)
        else:
            start, end = None, None
        key = (o.rule, start, end)
        if key in seen:
            continue
        seen.add(key)
        message = o.message or MESSAGES[(o.rule, o.severity)]
        findings.append(Finding(o.rule, o.severity, message, start, end))
    findings.sort(key=lambda f: (f.start is None, f.start or 0, f.end or 0, f.rule))
    return findings
