"""The catalog of rule ids: severity, whether a privacy officer may override, descriptions."""

from __future__ import annotations

from dataclasses import dataclass

from app.compliance.engine import RULESET_VERSION as ENGINE_RULESET_VERSION
from app.compliance.engine import Severity

SERVICE_RULESET_VERSION = "1"
RULESET_VERSION = f"engine-{ENGINE_RULESET_VERSION}.service-{SERVICE_RULESET_VERSION}"
"""Reported with every result: the text engine's version and that of the rules here."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity | None
    """None: the engine decides per finding (a family of rules such as ``pii.*``)."""
    overridable: bool
    description_de: str
    description_en: str
    family: bool = False


_RULES = [
    Rule("pii.*", None, True,
         "Personenbezogene Daten im Text (Geburtsdatum, Versichertennummer, private Telefonnummer, "
         "Adresse …).",
         "Personal data in the text (date of birth, insurance number, private phone, address …).",
         family=True),
    Rule("phi.*", None, True,
         "Gesundheitsdaten einer erkennbaren Person (Diagnose, Station, Zimmer …).",
         "Health information about an identifiable person (diagnosis, ward, room …).",
         family=True),
    Rule("hwg.*", None, True,
         "Heilmittelwerbegesetz: unzulässige Werbung für Behandlungen.",
         "German law on advertising medical treatment (HWG).", family=True),
    Rule("reply.*", None, True,
         "Antworten, die ein Behandlungsverhältnis bestätigen oder individuell beraten.",
         "Replies that confirm a treatment relationship or give individual advice.", family=True),
    Rule("a11y.alt_text", "block", False,
         "Jedes Bild braucht einen Alternativtext.", "Every image needs alt text."),
    Rule("consent.missing", "block", True,
         "Patientengeschichte oder Beitrag mit Patient/in ohne verknüpfte Einwilligung.",
         "Patient story or post showing a patient without a linked consent."),
    Rule("consent.expired", "block", True,
         "Die Einwilligung gilt zum Veröffentlichungszeitpunkt nicht (abgelaufen, widerrufen, "
         "noch nicht gültig).",
         "The consent is not in force at publication time (expired, withdrawn, not yet valid)."),
    Rule("consent.scope", "block", True,
         "Die Einwilligung deckt einen Zielkanal oder die Kategorie nicht ab.",
         "The consent does not cover a target channel or the category."),
    Rule("platform.length", "block", False,
         "Der Text ist für die Plattform zu lang.", "The text is too long for the platform."),
    Rule("platform.hashtags", "block", False,
         "Zu viele Hashtags für die Plattform.", "Too many hashtags for the platform."),
    Rule("platform.media_count", "block", False,
         "Zu viele, zu wenige oder unzulässig gemischte Anhänge.",
         "Too many, too few or wrongly mixed attachments."),
    Rule("platform.media_format", "block", False,
         "Format oder Größe eines Anhangs passt nicht zur Plattform.",
         "An attachment's format or size does not suit the platform."),
    Rule("platform.alt_text_length", "block", False,
         "Der Alternativtext ist für die Plattform zu lang.",
         "The alt text is too long for the platform."),
    Rule("platform.empty", "block", False,
         "Der Beitrag ist leer.", "The post is empty."),
    Rule("platform.link", "warn", False,
         "Links sind auf der Plattform nicht anklickbar.", "Links are not clickable there."),
    Rule("platform.unsupported", "block", False,
         "Für diese Plattform kann Klinikfunk noch nicht veröffentlichen.",
         "Klinikfunk cannot publish to this platform yet."),
    Rule("platform.other", "block", False,
         "Eine weitere Vorgabe der Plattform ist nicht erfüllt.",
         "Another platform requirement is not met."),
]  # fmt: skip
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}

PLATFORM_CODES = {
    "text_too_long": "platform.length",
    "text_too_many_bytes": "platform.length",
    "too_many_hashtags": "platform.hashtags",
    "many_hashtags": "platform.hashtags",
    "too_many_media": "platform.media_count",
    "media_required": "platform.media_count",
    "video_mix": "platform.media_count",
    "unsupported_format": "platform.media_format",
    "media_type_unsupported": "platform.media_format",
    "media_kind_unsupported": "platform.media_format",
    "file_too_large": "platform.media_format",
    "media_too_large": "platform.media_format",
    "alt_text_too_long": "platform.alt_text_length",
    "empty": "platform.empty",
    "link_not_clickable": "platform.link",
    "platform_unsupported": "platform.unsupported",
}
"""Connector validation codes → rule ids (``alt_text_missing`` is ``a11y.alt_text``)."""


def platform_rule(code: str) -> str:
    return PLATFORM_CODES.get(code, "platform.other")


def overridable(rule: str) -> bool:
    """Text-engine and consent findings may be overridden; platform limits and alt texts are
    fixed by editing (the platform would refuse the post anyway)."""
    known = RULES.get(rule)
    if known is not None:
        return known.overridable
    return not rule.startswith(("platform.", "a11y."))
