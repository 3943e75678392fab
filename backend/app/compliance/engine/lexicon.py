"""Word lists for the detectors (lower case). Longer lists live in ``data/*.txt``."""

from __future__ import annotations

import re
from importlib import resources


def _words(text: str) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in text.split() if w.strip())


def data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a bundled data file (read once, at import)."""
    raw = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]


POSSESSIVES = _words(
    """ihr ihre ihrem ihren ihrer ihres dein deine deinem deinen deiner deines dei deim
    mein meine meinem meinen meiner meines sein seine seinem seinen seiner unsere unserer
    euer eure eurem euren your my his her their yer ur"""
)
SECOND_PERSON_POSSESSIVES = _words(
    "ihr ihre ihrem ihren ihrer ihres dein deine deinem deinen deiner deines dei deim your ur yer"
)
SECOND_PERSON = _words("sie ihnen du dich dir you") | SECOND_PERSON_POSSESSIVES

# Relation words: need a possessive before them unless marked informal (``mama liegt …``).
RELATIONS = _words(
    """mutter vater mann ehemann frau ehefrau gattin gatte sohn sohnes tochter kind kinder
    kindes baby oma opa großmutter großvater grossmutter grossvater enkel enkelin enkelkind
    bruder bruders schwester geschwister partner partnerin lebensgefährte lebensgefährtin
    freund freundin tante onkel neffe nichte schwiegermutter schwiegervater schwiegersohn
    schwiegertochter cousin cousine cousinen nachbar nachbarin angehörige angehöriger
    mother father husband wife son daughter child kid kids baby grandma grandpa grandmother
    grandfather grandson granddaughter brother sister partner boyfriend girlfriend aunt uncle
    niece nephew spouse cousin neighbour neighbor fiance fiancee stepmother stepfather
    mama papa mami papi mutti vati omi opi mom mum dad daddy mommy mummy nan nana granny"""
)
INFORMAL_RELATIONS = _words(
    "mama papa mami papi mutti vati omi opi oma opa mom mum dad daddy mommy mummy granny grandma grandpa"
)

HONORIFICS = _words("herr herrn hr frau fr frl mr mrs ms miss mx sir madam")
FAMILY_CUES = _words("familie fam")
PATIENT_CUES = _words("patient patientin pat patientinnen")
ACADEMIC = _words("dr prof med pd dipl phd md univ doz priv")

# Greetings, thanks and introductions after which a name usually follows.
NAME_LEAD_INS = _words(
    """hallo hi hey hej huhu liebe lieber liebes dear moin servus hello hiya sehr geehrte
    geehrter geehrtes danke thanks thank vielen glückwunsch gratulation glückwünsche congrats
    congratulations meet gratulieren shoutout welcome willkommen grüß"""
)

STAFF_TITLES = _words(
    """dr prof professor professorin med pd dipl chefarzt chefärztin oberarzt oberärztin
    assistenzarzt assistenzärztin facharzt fachärztin arzt ärztin ärzte pflegedirektor
    pflegedirektorin pflegedienstleitung pflegedienstleiter pflegedienstleiterin
    stationsleitung stationsleiter stationsleiterin pflegekraft pfleger pflegerin
    krankenschwester krankenpfleger gesundheitspfleger gesundheitspflegerin hebamme
    entbindungspfleger physiotherapeut physiotherapeutin ergotherapeut ergotherapeutin
    logopäde logopädin psychologe psychologin psychotherapeut psychotherapeutin therapeut
    therapeutin seelsorger seelsorgerin pfarrer pfarrerin pastor pastorin diakon diakonin
    geschäftsführer geschäftsführerin direktor direktorin vorstand vorständin sprecher
    sprecherin pressesprecher pressesprecherin ansprechpartner ansprechpartnerin kollege
    kollegin kolleg mfa azubi auszubildende praxisanleiter praxisanleiterin hygienefachkraft
    sozialarbeiter sozialarbeiterin teamleitung leitung leiter leiterin referent referentin
    moderator moderatorin apotheker apothekerin ärztlicher ärztliche kaufmännischer
    personalleiterin personalleiter bereichsleitung klinikdirektor klinikdirektorin
    nurse doctor surgeon physician chief head director ceo cfo coo manager recruiter educator
    practitioner midwife therapist chaplain pharmacist coordinator colleague consultant
    resident intern paramedic matron rn md np lpn dean chair president speaker host
    anesthesiologist cardiologist oncologist neurologist pediatrician radiologist lead
    supervisor nurses doctors pflegekräfte ärztinnen hebammen"""
)
# A name directly followed by one of these is a speaker or a colleague, not a patient.
STAFF_VERBS = _words(
    """erklärt erklären zeigt spricht sprechen informiert referiert leitet moderiert begrüßt
    beantwortet präsentiert verstärkt übernimmt stellt gibt lädt unterstützt berät empfiehlt
    explains explain shows talks speaks hosts presents leads answers joins joined welcomes
    discusses shares gives introduces recommends"""
)

# Patient context for a name in the same or a neighbouring sentence.
CARE_WORDS = _words(
    """aufgenommen eingeliefert entlassen liegt lag liegen operiert behandelt verlegt
    eingewiesen stationär intubiert beatmet reanimiert entbunden verstorben gestorben
    eingeschlafen genesung genesen genest behandlung therapie op operation eingriff reha
    nachsorge nachuntersuchung befund befunde laborwerte diagnose diagnostiziert arztbrief
    entlassbrief entlassung aufnahme aufenthalt patient patientin erkrankt
    überstanden kämpft kämpfte besiegt überlebt krankenakte akte aufnahmebogen
    chemotherapie bestrahlung rückruf
    admitted admission discharged discharge transferred operated treated treatment surgery
    recovering recovery recovered survived beat beats biopsy scan scans results records chart
    ventilator diagnosed diagnosis procedure therapy rehab died passed icu ward bed room
    hospitalized hospitalised inpatient stay"""
)

MONTHS_DE = {
    "januar": 1, "jan": 1, "jänner": 1, "februar": 2, "feb": 2, "märz": 3, "mär": 3, "maerz": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
MONTHS_EN = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = _words(
    """montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag monday tuesday
    wednesday thursday friday saturday sunday"""
)

# Words that look like names (or are names in some locale) but are ordinary words here.
COMMON_WORDS = (
    _words(
        """der die das den dem des ein eine einer einem einen eines und oder aber wir sie er es
    ihr ihre ich du man mit von vom zu zum zur bei beim auf aus in im an am um für über unter
    nach vor seit bis durch gegen ohne ab als wie wenn dass weil ob so auch noch schon nur
    sehr mehr gern gerne heute morgen gestern jetzt hier dort da wo was wer wann warum wie
    alle alles allen jeder jede jedes kein keine nicht nie ja nein bitte danke dank hallo
    liebe lieber liebes grüße gruß viele vielen herzlich herzliche team zusammen leute
    allerseits eltern kinder familie familien freunde leserinnen leser community besucher
    besucherinnen kolleginnen kollegen patientinnen patienten damen herren ist sind war
    waren wird werden wurde hat haben hatte kann können soll sollen muss müssen darf dürfen
    gut neu neue neuen neuer großen groß klein kleine kleinen alt alte jung tag tage woche
    wochen monat jahr jahre uhr zeit haus station zimmer bett klinik klinikum krankenhaus
    praxis zentrum abteilung notaufnahme ambulanz herz hand arm bein kopf leben liebe
    sonne sommer winter frühling herbst weihnachten ostern neujahr glück erfolg gesundheit
    the a an and or but we they he she it you i me my our your his her their to of in on at
    by for with from about into over after before since until as if so too very more most
    all any every each no not yes please thanks thank hello hi hey dear everyone everybody
    folks guys there again back team family friends parents kids visitors nurses doctors
    patients staff is are was were will would can could should may might must have has had
    do does did good great new old young big small little day days week weeks month year
    years today tomorrow yesterday now here time home house room ward bed hospital clinic
    center centre unit heart life love summer winter spring fall autumn christmas easter
    happy welcome best regards cheers much so well get got just also still even only
    mrs mr ms sir madam herr frau dr prof med nurse doctor sister brother mother father
    baby grace hope joy faith rose ruby pearl amber iris ivy lily daisy holly dawn summer
    autumn april may june august mark will bill art bob pat sue frank ernst heide rosa
    gloria linde engel kurz lang weiß schwarz braun hausarzt hausärztin ärztin arzt pflege pflegekraft intensiv intensivstation kinder
    media social online info news video foto fotos bild bilder live stay care carer handy
    zweifel notfall ende anfang mitte hilfe frage fragen antwort"""
    )
    | WEEKDAYS
    | frozenset(MONTHS_DE)
    | frozenset(MONTHS_EN)
)

# --- context of a whole sentence or text (compliance.md §3.5 hard negatives) ----------------
# Role nouns for colleagues, also as compound heads: "Pflegeexpertin", "Wundmanagerin",
# "Hygienebeauftragter", "Praxisanleiterin", "Chefkoch".
STAFF_ROLE = re.compile(
    r"(?:arzt|ärztin|ärzte|pfleger|pflegerin|pflegekraft|pflegekräfte|schwester|hebamme|"
    r"therapeut(?:in)?|expert(?:e|in)|leitung|leiter(?:in)?|beauftragte[r]?|koordinator(?:in)?|"
    r"manager(?:in)?|referent(?:in)?|anleiter(?:in)?|assistent(?:in)?|koch|köchin|techniker(?:in)?|"
    r"fachkraft|fachkräfte|direktor(?:in)?|sekretär(?:in)?|seelsorger(?:in)?|sozialarbeiter(?:in)?|"
    r"azubi|auszubildende[r]?|praktikant(?:in)?|mitarbeiter(?:in)?|kolleg(?:e|in)|mfa|"
    r"apprentice|nurse|doctor|midwife|manager|consultant|registrar|physio|porter|chef|"
    r"technician|therapist|coordinator|volunteer|chaplain|receptionist|administrator|"
    r"secretary|specialist|trainee|student|colleague|lead)s?$",
    re.IGNORECASE,
)
# Sentences that introduce, welcome, celebrate or say goodbye to colleagues: a name there
# is staff unless the same sentence ties it to a treatment.
STAFF_CONTEXT = re.compile(
    r"\b(?:azubi\w*|auszubildende\w*|praktikant\w*|kolleg(?:e|en|in|innen)|mitarbeiter\w*|"
    r"\w*jubiläum|ruhestand|rente\b|renteneintritt|verabschied\w*|abschied|teamfoto\w*|"
    r"v\.\s?l\.\s?n\.\s?r\.?|neu(?:e[rns]?)?\s+(?:bei uns|im team|an bord)|an bord|"
    r"verstärk\w*\s+(?:\w+\s+){0,2}\w*team|willkommen im team|einarbeitung|des monats|"
    r"erste[rn]?\s+arbeitstag|dienstbeginn|startet\s+(?:heute|morgen|bei uns)|"
    r"new starters?|apprentice\w*|joins?\s+(?:us|our|the)\b|joined\s+(?:us|our|the)\b|"
    r"joining\s+(?:us|our|the)\b|welcome to the team|on board|of the (?:year|month)|"
    r"retir\w*|years of service|work anniversary|our newest|newly qualified|starting on the wards|"
    r"new (?:doctors|nurses|colleagues|recruits|residents|interns|team members?))\b",
    re.IGNORECASE,
)
# Greeting/celebration words that, with a role noun in the same sentence, introduce staff.
STAFF_INTRO = re.compile(
    r"\b(?:willkommen|begrüß\w*|stellen?\s+(?:\w+\s+){0,3}vor|stellt sich vor|vorstellen|"
    r"unser(?:e[rnms]?)? neue[rnms]?|neue[rnms]? (?:\w+\s+)?(?:stationsleitung|leitung|leiter\w*)|"
    r"glückwunsch\w*|gratul\w*|welcome|meet|say (?:hi|hello)|congrat\w*|our new|"
    r"please welcome|introduc\w*)\b",
    re.IGNORECASE,
)
# Job advertisements and the contact persons named in them.
JOB_AD = re.compile(
    r"\((?:[mwdfx]\s?/\s?){2}[mwdfx]\)|\b(?:stellenangebot\w*|stellenausschreibung\w*|"
    r"stellenanzeige\w*|wir suchen|suchen wir|jetzt bewerben|bewirb dich|bewerben sie sich|"
    r"bewerbung\w*|karriere\w*|vollzeit|teilzeit|minijob|ausbildung\w*|ausbildungsplatz|"
    r"now hiring|we'?re hiring|we are hiring|hiring|vacanc\w*|job (?:opening|offer|ad)|"
    r"closing date|apply (?:now|today|online|by)|full-time|part-time|recruit\w*)\b",
    re.IGNORECASE,
)
CONTACT_CUE = re.compile(
    r"\b(?:ansprechpartner\w*|kontakt(?:person)?|fragen beantwortet|beantwortet (?:ihnen |euch |dir )?"
    r"(?:gerne? )?(?:ihre |eure |deine )?fragen|rückfragen|meld(?:e|et)? (?:dich|euch) bei|"
    r"melden sie sich bei|wenden sie sich an|zur verfügung|reach out to|contact|"
    r"informal (?:chat|discussion)|questions\?)",
    re.IGNORECASE,
)
# Talks, courses and other events: rooms are venues, diagnoses are topics.
EVENT_ROOM_BEFORE = re.compile(
    r"(?:hörsaal|seminar\w*|konferenz\w*|besprechungs\w*|schulungs\w*|vortrags\w*|sitzungs\w*|"
    r"unterrichts\w*|kurs\w*|lecture|conference|meeting|training|teaching|class|board|"
    r"function|committee|education|community|interview|exam|quiet|prayer|multi-?faith)"
    r"\s*(?:room|raum|zimmer)?\s*$",
    re.IGNORECASE,
)
EVENT_CONTEXT = re.compile(
    r"\b(?:vortrag\w*|spricht|referiert|infoabend|infoveranstaltung|selbsthilfegruppe|"
    r"patientenakademie|seminar\w*|kurs|workshop|webinar|fortbildung|veranstaltung|"
    r"talk|lecture|session|course|class|support group|grand rounds)\b",
    re.IGNORECASE,
)
