"""Replies (FEAT-3, FEAT-11) and re-identification hints (FEAT-17)."""

from __future__ import annotations

import pytest
from compliance_engine.helpers import blocks, rules

CONFIRMS = [
    # German
    "Schön, dass Ihre OP gut verlaufen ist!",
    "Danke für das Lob! Wir freuen uns, dass Sie sich während Ihres Aufenthalts bei uns wohlgefühlt haben.",
    "Wir haben Ihre Akte geprüft und melden uns.",
    "Ihr Befund liegt inzwischen vor.",
    "Ihr Vater liegt noch auf der Intensivstation.",
    "Gute Besserung nach Ihrer Hüftoperation!",
    "Wir können bestätigen, dass Ihre Mutter bei uns ist.",
    "Herr Jansen ist derzeit bei uns in Behandlung.",
    "Schön, dass es Ihnen nach der OP wieder besser geht.",
    "Ihr Zimmer auf der Wochenstation wird gerade gereinigt.",
    "Freut uns, dass die Geburt Ihres Sohnes so gut verlaufen ist!",
    "Wir wünschen Ihnen alles Gute für die Reha nach Ihrer Entlassung.",
    "Danke Jana, dein Opa wurde gestern auf die Normalstation verlegt.",
    # English
    "So glad your surgery went well!",
    "Thank you for trusting us during your stay.",
    "We reviewed your chart and everything looks fine.",
    "Your husband is in room 12 and doing well.",
    "As our patient you can request your records online.",
    "We hope your recovery goes smoothly after your knee replacement.",
    "Yes, Mr. Pratt is still with us.",
    "Glad we could help during your visit with Dr. Lee.",
    "We can confirm your daughter was admitted last night.",
]
SAVED_REPLIES = [
    "Danke für Ihr Feedback!",
    "Vielen Dank für Ihr Lob! Wir geben es gern an das Team weiter.",
    "Vielen Dank für Ihre Nachricht. Aus Datenschutzgründen können wir uns online nicht zu "
    "einzelnen Patientinnen und Patienten äußern. Bitte wenden Sie sich an unser "
    "Patientenservice-Team unter 030 4502-0 oder an lob@klinikum-nord.de.",
    "Thank you for reaching out. For privacy reasons we can't discuss any patient online; "
    "please call our patient relations office at +1 312 926 2300.",
    "Thanks for the kind words – we'll pass them on to the team!",
    "Die Besuchszeiten sind täglich von 14 bis 19 Uhr.",
    "Leider dürfen wir online keine individuelle medizinische Beratung geben. Bitte wenden Sie "
    "sich an Ihre Hausärztin oder im Notfall an die 112.",
    "Termine für die Sprechstunde können Sie online buchen.",
]


class TestConfirmsPatient:
    @pytest.mark.parametrize("text", CONFIRMS)
    def test_reply_confirming_treatment_blocks(self, text: str) -> None:
        assert rules(text, "reply").get("reply.confirms_patient") == "block", text

    @pytest.mark.parametrize("text", SAVED_REPLIES)
    def test_saved_replies_and_thanks_do_not_block(self, text: str) -> None:
        assert not blocks(text, "reply"), rules(text, "reply")

    def test_enough_cases(self) -> None:
        assert len(CONFIRMS) >= 20

    def test_posts_are_not_checked_as_replies(self) -> None:
        assert "reply.confirms_patient" not in rules(
            "Schön, dass Ihre OP gut verlaufen ist!", "post"
        )


class TestIndividualAdvice:
    @pytest.mark.parametrize(
        "text",
        [
            "Nehmen Sie zweimal täglich 400 mg Ibuprofen.",
            "Das klingt nach einer Blasenentzündung, trinken Sie viel.",
            "Sie sollten das Medikament sofort absetzen.",
            "It sounds like you have a sinus infection – take ibuprofen.",
            "You should stop taking the tablets for now.",
        ],
    )
    def test_individual_advice_warns(self, text: str) -> None:
        assert rules(text, "reply").get("reply.individual_advice") == "warn"

    @pytest.mark.parametrize(
        "text",
        [
            "Für medizinische Fragen wenden Sie sich bitte an Ihre Hausärztin oder an 116117.",
            "We can't give medical advice online. Please talk to your GP or call NHS 111.",
            "Das klingt nach einem tollen Tag!",
        ],
    )
    def test_referrals_are_not_advice(self, text: str) -> None:
        assert "reply.individual_advice" not in rules(text, "reply")


class TestReidentification:
    def test_rare_details_without_a_name_warn(self) -> None:
        text = (
            "Eine 93-jährige Patientin aus Wremen liegt seit gestern auf unserer Intensivstation."
        )
        found = rules(text)
        assert found.get("pii.reidentification") == "warn"
        assert "pii.name" not in found

    def test_english_details_warn(self) -> None:
        text = "A 7-year-old from Tinworth was treated for burns in our ICU last night."
        assert rules(text).get("pii.reidentification") == "warn"

    def test_generic_health_tip_does_not_warn(self) -> None:
        text = "Ab 50 Jahren zahlt die Kasse die Darmspiegelung – sprechen Sie Ihre Praxis an."
        assert "pii.reidentification" not in rules(text)
