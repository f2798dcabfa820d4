"""Topics on spaCy's blank English pipeline: answers that state the fact itself, and their negations."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import spacy
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from criteria.errors import TrialFileError
from nlu.topics import FLAGGED, PHRASES, TopicExtractor, TopicReader, default_reader, load

READER = default_reader()
TODAY = date(2026, 11, 25)
TRIAL = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))["trial"]  # the trial the phrases are written for


def stated(text: str) -> dict[str, tuple[str, float]]:
    return {t.question: (t.value, t.confidence) for t in READER.read(text, TODAY)}


@pytest.mark.parametrize(
    ("text", "question", "value"),
    [
        ("I'm on dialysis 3x a week", "dialysis", "yes"),  # the subject itself
        ("Hemodialysis at the center", "dialysis", "yes"),  # another name, any case
        ("kidney transplant in 2019", "transplant", "yes"),
        ("latent TB, finished treatment in 2024", "tuberculosis", "yes"),
        ("Crohn's, on Humira", "other_autoimmune_treated", "yes"),
        ("I had a seizure 3 weeks ago", "recent_brain_event", "yes"),  # inside the 8 weeks asked about
        ("heart attack in september", "recent_heart_event", "yes"),  # inside the 6 months
        ("major", "last_surgery_major", "yes"),
        ("Minor", "last_surgery_major", "no"),  # a phrase that states the answer is no
        ("NKDA", "antibody_allergy", "no"),
        ("5 years sober", "substance_problem", "no"),
        ("not pregnant but still pumping for my son", "pregnant_or_breastfeeding", "yes"),  # one of two subjects
        ("pregnant no, breastfeeding yes", "pregnant_or_breastfeeding", "yes"),  # "no" after a mention denies it
        ("platelet is low, nose bleed a lot", "other_serious_illness", "yes"),  # the bleeding problem asked about
        ("in august my heart beat very fast, they shock me to fix it", "recent_heart_event", "yes"),  # care needed
        ("recovering alcoholic, 6 years sober", "substance_problem", "no"),  # a problem overcome: not now
        ("no. I quit drinking 5 years ago, before I was alcoholic", "substance_problem", "no"),  # "before i was"
        ("I donated a kidney to my brother", "transplant", "no"),  # a donor receives none
        ("my weakness is all the myositis", "non_myositis_weakness", "no"),
        ("just the lupus", "other_autoimmune_treated", "no"),  # the trial's own condition is not another
    ],
)
def test_read(text: str, question: str, value: str) -> None:
    assert stated(text)[question] == (value, 1.0)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("bone marrow biopsy, not a transplant", "transplant"),  # "not a" before the mention
        ("I'm on the waiting list for a kidney", "transplant"),  # waiting is not having had one
        ("on the waiting list for a kidney transplant", "transplant"),  # "waiting list for" denies it
        ("No seizures no strokes", "recent_brain_event"),  # every subject denied
        ("never had dialysis", "dialysis"),
        ("I don't have a seizure disorder", "recent_brain_event"),  # "n't" a few words before
        ("had a heart attack in 2019", "recent_heart_event"),  # dated before the 6 months asked about
        ("I stopped nursing in August", "pregnant_or_breastfeeding"),
        ("no my kidneys are fine, dint have any flare", "recent_kidney_flare"),  # a negation typed fast
        ("nvr had a seizure", "recent_brain_event"),
        ("im a man lol", "pregnant_or_breastfeeding"),  # cannot be
        ("used to take prednisone", "current_steroid"),  # a past: no to "now"
    ],
)
def test_negated(text: str, question: str) -> None:
    assert stated(text)[question] == ("no", 1.0)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        # The question asks about now; wanting a baby is the contraception question's business.
        ("no but we're trying", "pregnant_or_breastfeeding"),
        ("no, just high blood pressure", "other_serious_illness"),  # an aside beside a leading no
        ("only allergic to penicillin", "antibody_allergy"),  # a minimiser in the aside's clause
        ("allergic to penicillin only", "antibody_allergy"),
        ("just migraines, no stroke or seizure", "recent_brain_event"),
        ("No. glass of wine on weekends", "substance_problem"),
        ("no my kidneys are fine", "recent_kidney_flare"),  # a leading no agrees with a phrase stating no
        ("no they are still low", "bcell_recovered"),
        ("i had a blood transfusion once", "transplant"),  # not a transplant of any kind
        ("migraines but nothing like that", "recent_brain_event"),  # "nothing like that" closes the asides
        ("nope, but they found cancer in 2012", "other_serious_illness"),  # "nope" leads as "no" does (bench seed 79)
    ],
)
def test_an_aside_or_a_stated_no_beside_a_no(text: str, question: str) -> None:
    assert stated(text)[question] == ("no", 1.0)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("cornea transplant in my left eye", "transplant"),  # a clinician weighs it
        ("just nerve pain in my feet", "recent_brain_event"),  # not the brain itself: a person looks
        ("dialysis? no dialysis, I mean yes dialysis", "dialysis"),  # one subject said and denied
        ("knee scope, general anesthesia but outpatient", "last_surgery_major"),  # major and not
        ("migraines", "recent_brain_event"),  # an aside said alone: a person weighs it
        ("yes, hashimotos", "other_autoimmune_treated"),
        ("had GAVE lasered last year, ok now", "ssc_gave"),  # treated: whether it is gone, a person checks
    ],
)
def test_flagged(text: str, question: str) -> None:
    assert stated(text)[question] == ("unsure", FLAGGED)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("what is dialysis", "dialysis"),  # asked about, not stated
        ("I think it's called opsumit?", "ssc_pah_treated"),  # a mention with a question mark
        ("my dad had TB when I was little", "tuberculosis"),  # someone else's
        ("my son is getting his MMR", "plans_live_vaccine"),
    ],
)
def test_not_stated(text: str, question: str) -> None:
    assert question not in stated(text)


@pytest.mark.parametrize("text", ["", "   ", "yes", "no", "34", "not sure"])
def test_nothing_stated(text: str) -> None:
    assert READER.read(text, TODAY) == []


def test_offsets_point_at_the_mentions() -> None:
    [found] = [t for t in READER.read("yes, I'm on dialysis", TODAY) if t.question == "dialysis"]
    assert "yes, I'm on dialysis"[found.start : found.end] == "dialysis"


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        # A date question's topic flags what the site must weigh ...
        ("flu jab in October", "last_live_vaccine_date", ("unsure", FLAGGED)),
        ("only a port put in last week", "last_surgery_date", ("unsure", FLAGGED)),
        ("a precancerous polyp in 2024", "last_cancer_date", ("unsure", FLAGGED)),
        ("I'm in one right now", "last_trial_date", ("unsure", FLAGGED)),  # which kind of study, the site checks
        # ... a longer phrase that counts wins over a check inside it ...
        ("the nose spray flu vaccine in September", "last_live_vaccine_date", ("yes", 1.0)),
        # ... and a denied check is no reason to look ("no flu shot this year").
        ("no flu shot this year", "last_live_vaccine_date", ("no", 1.0)),
    ],
)
def test_a_date_answer_naming_what_the_site_must_weigh(text: str, question: str, expected: tuple[str, float]) -> None:
    assert stated(text)[question] == expected


def test_the_bundled_phrases_load() -> None:
    data = load()
    assert "dialysis" in data["topics"]


def test_unknown_questions_are_errors(tmp_path: Path) -> None:
    data = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    for question in ("no_such_question", "condition"):  # unknown, and a choice question
        broken = tmp_path / "topics.yaml"
        broken.write_text(yaml.safe_dump({**data, "topics": {question: {"x": ["y"]}}}), encoding="utf-8")
        with pytest.raises(ValueError, match="not yes/no or date_or_never questions"):
            load(broken)


@pytest.mark.parametrize(
    "topics",
    [
        {"dialysis": {"dialysis": "dialysis"}},  # a phrase, not a list
        {"dialysis": {"dialysis": [False]}},  # a bare YAML no
        {"dialysis": {"within_days": "soon"}},
        {"dialysis": {}},
        {"last_surgery_date": {"surgery": ["operation"]}},  # a date question without check phrases
        {"last_surgery_date": {"none": ["no surgery"]}},  # a stated no with nothing to weigh: the dates reader's
        {"last_surgery_date": {"check": ["port"], "within_days": 14}},
        {"last_surgery_date": {"check": ["port"], "kinds": ["biopsy"]}},  # kinds are for yes/no questions
    ],
)
def test_malformed_phrases_are_errors(tmp_path: Path, topics: dict) -> None:
    broken = tmp_path / "topics.yaml"
    broken.write_text(yaml.safe_dump({"trial": TRIAL, "topics": topics}), encoding="utf-8")
    with pytest.raises(ValueError):
        load(broken)


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        ("no live ones, just covid boosters", "last_live_vaccine_date", ("no", 1.0)),  # asides beside a no
        ("only flu shots, last one in october", "last_live_vaccine_date", ("no", 1.0)),
        ("flu shot in october", "last_live_vaccine_date", ("unsure", FLAGGED)),  # alone: was there a live one?
        ("did a survey study last year, no drug", "last_trial_date", ("no", 1.0)),  # an aside beside a stated no
        ("I had a blood transfusion does that count", "transplant", ("unsure", FLAGGED)),  # asks if it counts
        ("a glass of wine at the weekend, thats it", "substance_problem", ("no", 1.0)),  # "that's it" closes
        ("a glass of wine at the weekend", "substance_problem", ("unsure", FLAGGED)),  # an aside alone
        ("palpitations sometimes, they did an ecg and it was normal", "recent_heart_event", ("no", 1.0)),
        # Things that may be a subject: a flagged yes (taken only beside the patient's own yes, answers.read)
        ("afib, they put me on blood thinners in july", "recent_heart_event", ("yes", FLAGGED)),
        ("my period is late", "pregnant_or_breastfeeding", ("unsure", 1.0)),  # the question's own "not sure"
        ("palpitations sometimes but they said its harmless", "recent_heart_event", ("no", 1.0)),
        ("epilepsy, seizures not well controlled", "other_serious_illness", ("yes", 1.0)),
        ("weak legs but thats the myositis", "non_myositis_weakness", ("no", 1.0)),
        ("bipolar", "other_serious_illness", ("yes", FLAGGED)),
        ("afib in 2019", "recent_heart_event", ("no", 1.0)),  # dated before the 6 months asked about
        ("afib but my heart is fine", "recent_heart_event", ("unsure", FLAGGED)),  # beside a stated no
        ("had cancer in 2013", "other_serious_illness", ("unsure", FLAGGED)),  # alone: never a yes, a person looks
        ("no i dont, but i had cancer in 2009", "other_serious_illness", ("no", 1.0)),  # its own question asks
        ("i was on medrol but the doc is weaning me off", "current_steroid", ("unsure", FLAGGED)),
        ("going to thailand in feb, i might need the yellow fever jab", "plans_live_vaccine", ("unsure", FLAGGED)),
        ("only hydrocortisone cream on my rash", "current_steroid", ("unsure", FLAGGED)),  # on the skin: a check
        # A time that may fall either side of the weeks asked about: a person places it
        ("had a mini stroke in the spring", "recent_brain_event", ("unsure", FLAGGED)),
        ("a seizure sometime this year", "recent_brain_event", ("unsure", FLAGGED)),
        ("a seizure on 2 october", "recent_brain_event", ("yes", 1.0)),  # inside the 8 weeks
        ("a seizure in august", "recent_brain_event", ("no", 1.0)),  # all of it before them
        # A B-cell medicine named beside a "never": both said (answers.read flags the date)
        ("never had rituximab but i do benlysta injections every week", "last_bcell_therapy_date", ("unsure", FLAGGED)),
        ("stopped rituximab in 2023", "last_bcell_therapy_date", ("yes", 1.0)),  # a past still names one
    ],
)
def test_asides_and_doubts(text: str, question: str, expected: tuple[str, float]) -> None:
    assert stated(text)[question] == expected


@pytest.mark.parametrize(
    ("text", "question", "value"),
    [
        ("just a medrol dose pack once in 2021", "ever_steroids", "yes"),  # a name of the lexicon's class
        ("stopped prednisone last year", "ever_steroids", "yes"),  # a past says yes to "ever"
        ("stopped prednisone last year", "current_steroid", "no"),  # and no to "now"
        ("no, not on prednisone", "current_steroid", "no"),
        ("im on pred 5mg", "current_steroid", "yes"),
    ],
)
def test_a_medicine_class_and_ever(text: str, question: str, value: str) -> None:
    assert stated(text)[question] == (value, 1.0)


def test_a_class_that_is_not_in_the_lexicon_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "topics.yaml"
    broken.write_text(
        yaml.safe_dump({"trial": TRIAL, "topics": {"current_steroid": {"s": {"medicine_class": "nope"}}}})
    )
    with pytest.raises(ValueError, match="medicine_class"):
        load(broken)


@pytest.mark.parametrize(
    "trial",
    [
        None,  # the file must say which trial it is written for
        "NCT00000000",  # and it must be the trial in use
    ],
)
def test_phrases_for_another_trial_are_an_error(tmp_path: Path, trial: str | None) -> None:
    other = tmp_path / "topics.yaml"
    other.write_text(yaml.safe_dump({"trial": trial, "topics": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match="the one in use"):
        load(other)


def test_the_trial_in_use_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("nlu.topics.get_settings", lambda: SimpleNamespace(trial_id="no_such_trial"))
    with pytest.raises(TrialFileError):
        load()  # the phrases are checked against the trial file of TRIAL_ID


def test_an_unknown_section_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "topics.yaml"
    broken.write_text(yaml.safe_dump({"topics": {}, "negations": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown sections"):
        load(broken)


def test_the_component_adds_one_entity_per_question() -> None:
    reader = TopicReader(
        spacy.blank("en"),
        {"dialysis": {"dialysis": ["dialysis"]}, "transplant": {"organ": ["kidney transplant"]}},
        {"before": ["not"]},
    )
    message = Message(data={TEXT: "dialysis since my kidney transplant failed"})
    TopicExtractor(reader).process([message])
    assert sorted((e["entity"], e["role"], e["value"], e["confidence_entity"]) for e in message.get(ENTITIES)) == [
        ("topic", "dialysis", "yes", 1.0),
        ("topic", "transplant", "yes", 1.0),
    ]
    denied = Message(data={TEXT: "not on dialysis"})
    TopicExtractor(reader).process([denied])
    assert [(e["role"], e["value"]) for e in denied.get(ENTITIES)] == [("dialysis", "no")]
    nothing = Message(data={TEXT: "34"})
    TopicExtractor(reader).process([nothing])
    assert not nothing.get(ENTITIES)


def test_the_bundled_component() -> None:
    message = Message(data={TEXT: "NKDA"})
    TopicExtractor().process([message])
    assert [(e["role"], e["value"]) for e in message.get(ENTITIES)] == [("antibody_allergy", "no")]


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(max_size=3000),
        st.text(alphabet=st.characters(blacklist_categories=()), max_size=300),  # control chars, lone surrogates
        st.lists(st.sampled_from(["no", "dialysis", "not", "?", "my dad", "2019", "\x00", "\ud800", "👍"])).map(
            " ".join
        ),
    )
)
def test_any_text_never_crashes(text: str) -> None:
    for found in READER.read(text, TODAY):
        assert found.value in {"yes", "no", "unsure"}
        assert 0 < found.confidence <= 1.0
        assert 0 <= found.start <= found.end


def test_huge_text_never_crashes() -> None:
    READER.read("dialysis not " * 20000 + "\ud800\x00", TODAY)
    READER.read("x" * 200000, None)
