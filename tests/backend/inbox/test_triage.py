"""Triage and sentiment rules (German and English), and the priority derived from them."""

from __future__ import annotations

import pytest

from app.inbox.models import Priority, Sentiment, TriageCategory
from app.inbox.triage import priority_for, triage

C = TriageCategory
CASES = [
    ("mein Vater hat Brustschmerzen, was soll ich tun?", C.emergency),
    ("Meine Frau kann nicht atmen, bitte helfen!", C.emergency),
    ("Ich glaube, das ist ein Schlaganfall", C.emergency),
    ("My father has chest pain, what should I do?", C.emergency),
    ("Help, my son can't breathe", C.emergency),
    ("Ihr seid alles Idioten", C.abuse),
    ("You are all morons", C.abuse),
    ("Ich möchte mich beschweren: stundenlang gewartet!", C.complaint),
    ("The nurse was rude and I am disappointed", C.complaint),
    ("Welche Dosis Ibuprofen sollte ich nehmen?", C.medical_question),
    ("Is it normal to have side effects after the vaccine?", C.medical_question),
    ("Wie kann ich einen Termin in der Sprechstunde vereinbaren?", C.appointment_request),
    ("I would like to book an appointment", C.appointment_request),
    ("Gibt es offene Stellen in der Pflege? Ich möchte mich bewerben.", C.job_inquiry),
    ("Do you have job openings for nurses?", C.job_inquiry),
    ("Vielen Dank an das ganze Team der Station!", C.praise),
    ("Thank you so much, great team!", C.praise),
    ("Wo kann ich parken?", C.other),
    ("Where can visitors park?", C.other),
]


class TestTriage:
    @pytest.mark.parametrize(("text", "category"), CASES)
    def test_category(self, text: str, category: TriageCategory) -> None:
        result = triage(text)

        assert result.category is category
        if category is not C.other:
            assert any(r.startswith(f"{category.value}: ") for r in result.reasons)

    def test_most_severe_category_wins(self) -> None:
        result = triage("Danke, aber mein Mann hat jetzt Atemnot und Schmerzen")

        assert result.category is C.emergency
        assert "praise: danke*" in result.reasons

    @pytest.mark.parametrize(
        ("text", "sentiment"),
        [
            ("Vielen Dank, tolles Team!", Sentiment.positive),
            ("Great care, thank you", Sentiment.positive),
            ("Das war furchtbar und unfreundlich", Sentiment.negative),
            ("Terrible, never again", Sentiment.negative),
            ("Nicht freundlich", Sentiment.negative),
            ("Wo ist der Haupteingang?", Sentiment.neutral),
        ],
    )
    def test_sentiment(self, text: str, sentiment: Sentiment) -> None:
        assert triage(text).sentiment is sentiment


class TestPriority:
    def test_emergency_is_always_urgent(self) -> None:
        assert priority_for(C.emergency, Sentiment.positive, sensitive=False) is Priority.urgent

    def test_negative_sentiment_or_sensitive_raises_one_step_but_never_to_urgent(self) -> None:
        assert priority_for(C.other, Sentiment.neutral, sensitive=False) is Priority.normal
        assert priority_for(C.other, Sentiment.negative, sensitive=False) is Priority.high
        assert priority_for(C.praise, Sentiment.neutral, sensitive=True) is Priority.normal
        assert priority_for(C.complaint, Sentiment.negative, sensitive=True) is Priority.high


class TestSensitive:
    def test_health_data_about_a_person_de_en(self) -> None:
        from app.inbox.ingestion import sensitive_rules

        assert "phi.diagnosis" in sensitive_rules(
            "Meine Mutter hat Brustkrebs und liegt bei Ihnen auf Station 4."
        )
        assert "phi.diagnosis" in sensitive_rules(
            "My wife was diagnosed with breast cancer at your hospital"
        )
        assert sensitive_rules("Wann sind die Besuchszeiten?") == []
        assert sensitive_rules("Danke an das Team der Kardiologie!") == []
