"""Choices on spaCy's blank English pipeline: each question's answers named in free text."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from criteria import load_trial
from nlu.choices import BOTH, DOUBTFUL, PHRASES, ChoiceExtractor, ChoiceReader, default_reader, load
from tests.bot.test_domain import domain

READER = default_reader()
QUESTIONS = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))["questions"]


def named(text: str) -> dict[str, tuple[str, float]]:
    return {c.question: (c.value, c.confidence) for c in READER.read(text)}


@pytest.mark.parametrize(
    ("text", "question", "value"),
    [
        ("lupus", "condition", "sle"),
        ("Systemic Lupus Erythematosus", "condition", "sle"),  # the longest phrase, any case
        ("I was diagnosed with scleroderma in 2019", "condition", "ssc"),
        ("dermatomyositis", "condition", "iim"),  # a type of myositis names the condition too
        ("dermatomyositis", "myositis_type", "dermatomyositis"),
        ("anti-Jo1 positive", "myositis_type", "antisynthetase"),
        ("CREST", "ssc_type", "limited"),
        ("F", "sex", "female"),
        ("had a hysterectomy", "contraception_agreement", "not_applicable"),
        # The clinical review's new choices
        ("amyopathic DM", "myositis_type", "amyopathic"),
        ("clinically amyopathic dermatomyositis", "myositis_type", "amyopathic"),
        ("anti-synthetase syndrome", "condition_other", "antisynthetase"),
        ("MCTD", "condition_other", "overlap"),
        ("rheumatoid arthritis", "condition_other", "something_else"),
        ("hep b carrier", "infection_now", "yes"),
        ("had hep B years ago but it cleared", "infection_now", "past"),  # "cleared" decides: past
        ("I got the hep B vaccine", "infection_now", "no"),
        ("dermato", "myositis_type", "dermatomyositis"),  # a patient's short name
        ("a different type", "myositis_type", "other_type"),  # found by bench.patients: not understood twice
        ("the muscle one", "condition", "iim"),
        # Past the menopause or sterilised, as the question's own choice says: the site confirms it.
        ("I'm post menopause", "contraception_agreement", "not_applicable"),
        ("im 58 and past the menopause", "contraception_agreement", "not_applicable"),
        ("i had my tubes tied after my last one", "contraception_agreement", "not_applicable"),
        # A subtype named with its short word, or an antibody with a space
        ("they said amyopathic derm", "myositis_type", "amyopathic"),  # not amyopathic and dermatomyositis
        ("necrotising, anti HMGCR", "myositis_type", "imnm"),  # "anti" is no prefix of antisynthetase here
        # Of two answers, the one after a "now" that opens its clause
        ("it started limited but now they say its diffuse", "ssc_type", "diffuse"),
        ("limited at first, now it's diffuse", "ssc_type", "diffuse"),
        ("not sure, they just said myositis", "myositis_type", "unsure"),  # a plain "not sure" agrees with it
        ("mujer", "sex", "female"),
    ],
)
def test_read(text: str, question: str, value: str) -> None:
    assert named(text)[question] == (value, 1.0)


@pytest.mark.parametrize(
    ("text", "question", "value"),
    [
        ("Myosits", "condition", "iim"),  # one letter dropped from a phrase word
        ("Dermatomyocitis", "myositis_type", "dermatomyositis"),  # one letter swapped
        ("difuse", "ssc_type", "diffuse"),
        ("femal", "sex", "female"),  # 5 letters: still one edit
        ("inclusion body myosits", "myositis_type", "inclusion_body"),  # a word of a longer phrase
        ("sclero", "condition", "ssc"),  # the start of one choice's one-word phrases
        ("poly", "myositis_type", "polymyositis"),  # a phrase word, but no phrase took it
        ("muscle disease, dermato-something", "condition", "iim"),
        ("the first one", "condition", "sle"),  # the n-th choice, in the buttons' order
        ("second", "sex", "male"),
        ("option 3", "myositis_type", "antisynthetase"),
        ("the last one", "ssc_type", "limited"),
        ("none of those", "condition", "other"),  # the question's "other" choice
        ("none of those", "myositis_type", "other_type"),
        ("none of those", "ssc_type", "unsure"),  # no "other" choice: cannot name one
        ("they just said myositis", "myositis_type", "unsure"),  # no type named, told none
        ("they just said myositis", "condition", "iim"),  # a choice named beats "just said"
        ("they never said", "ssc_type", "unsure"),
        ("trans man, but assigned female at birth", "sex", "female"),  # "assigned ... at birth" decides
        ("it started when I was 9", "myositis_type", "juvenile"),  # onset under 18
        ("I'm 61, no periods for 12 years", "contraception_agreement", "not_applicable"),  # 12 months or more
        ("I was born without a uterus", "contraception_agreement", "not_applicable"),
        ("I'm on the pill anyway", "contraception_agreement", "yes"),
        ("yep, condoms", "contraception_agreement", "yes"),  # a yes/no choice read by the polarity reader
        ("no way", "contraception_agreement", "no"),
        ("lupus and RA", "condition", "sle"),  # a cohort beside "something else": the cohort, flagged below
        ("lupus & sjogrens", "condition", "sle"),
        ("not lupus, myositis", "condition", "iim"),  # a negation denies the answer after it
        ("I dont have lupus, I have dermatomyositis", "condition", "iim"),
        ("its not scleroderma its myositis", "condition", "iim"),  # a cue denies the first answer it reaches
        ("No, not limited, diffuse", "ssc_type", "diffuse"),
        ("started limited now its diffuse they said", "ssc_type", "diffuse"),  # what it was, what it is now
        ("fem", "sex", "female"),
        ("none of those, it's UCTD", "condition_other", "something_else"),  # not yet one disease, nor an overlap
        ("post menopausal since 2019", "contraception_agreement", "not_applicable"),
        ("menopause 5 year already", "contraception_agreement", "not_applicable"),  # a year or more: menopause
        ("it started when she was 12, now she is 24", "myositis_type", "juvenile"),  # a relative typing
        ("male at birth, I live as a woman now", "sex", "male"),  # "at birth" decides
    ],
)
def test_read_beyond_the_phrases(text: str, question: str, value: str) -> None:
    assert named(text)[question][0] == value


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("2", "condition"),  # a bare number is the form's button fallback (actions/answers.py)
        ("it started when I was 30", "myositis_type"),  # onset as an adult is not juvenile
        ("my mother has it", "condition"),  # "mother" is not "other"
        ("I had my first flare in 2019", "condition"),  # an ordinal in a sentence is not a button
        ("fertile", "contraception_agreement"),  # 2 edits from "infertile": too far at 7 letters
        ("no lupus", "condition"),  # denied, and nothing else named
    ],
)
def test_nothing_named_for_the_question(text: str, question: str) -> None:
    assert question not in named(text)


@pytest.mark.parametrize(
    ("text", "question", "value"),
    [
        ("they think its lupus but its not confirmed yet", "condition", "sle"),  # a doubt cue
        ("diffuse i think", "ssc_type", "diffuse"),
        ("maybe lupus", "condition", "sle"),  # a hedge of the polarity reader
        ("yes i guess", "contraception_agreement", "yes"),
        ("limited but my doctor says it's spreading", "ssc_type", "limited"),  # a question's own doubt cue
        ("dermatomyositis with scleroderma overlap", "myositis_type", "dermatomyositis"),  # another condition
        ("dermatomyositis and lupus", "myositis_type", "dermatomyositis"),
        ("discoid lupus, only on my skin", "condition", "other"),  # longest phrase, not SLE
        ("drug induced lupus", "condition", "other"),
        ("going through the menopause", "contraception_agreement", "not_applicable"),  # still going on
        ("no periods for 6 months", "contraception_agreement", "not_applicable"),  # under 12 months
        ("I'm not sexually active", "contraception_agreement", "unsure"),
        ("I don't want to take hormones", "contraception_agreement", "unsure"),
        ("No, I don't want to use anything at all", "contraception_agreement", "no"),  # a no with reasons
        ("trans woman", "sex", "male"),
        ("No way I'm on the pill already", "contraception_agreement", "yes"),  # a no beside a yes named
        ("my wife had her tubes tied", "contraception_agreement", "not_applicable"),  # a partner's: a person checks
        ("lupus and RA", "condition", "sle"),  # rheumatoid arthritis beside lupus: an overlap?
        # where the skin is thick answers the skin-type question (the trunk or above the elbows is
        # diffuse), read back: a description, not the name a doctor gave
        ("skin is tight on my chest, belly and upper arms", "ssc_type", "diffuse"),
        ("hands and face, and my chest now", "ssc_type", "diffuse"),  # the trunk decides
        ("its all over my chest", "ssc_type", "diffuse"),  # "chest" as a place, never mended to "crest"
        ("only my fingers and face are tight", "ssc_type", "limited"),
        ("lupus or MCTD", "condition", "sle"),  # an overlap diagnosis beside a cohort: a person looks
        ("not sure, lupus?", "condition", "sle"),  # "not sure" denies nothing: a hedge
        ("menopausal for 8 months", "contraception_agreement", "not_applicable"),  # under 12 months
        ("condom is enough?", "contraception_agreement", "yes"),  # the patient asks whether it counts
        ("Jo1 positive and the lung has fibrosis, is that the same thing?", "condition_other", "antisynthetase"),
        ("lupus but only on the skin, discoid", "condition", "sle"),  # skin lupus beside lupus: a person looks
        ("hep b i think", "infection_now", "yes"),  # "have" or "had": a person checks
    ],
)
def test_flagged(text: str, question: str, value: str) -> None:
    assert named(text)[question] == (value, DOUBTFUL)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("overlap myositis", "myositis_type"),  # the cue is part of the name
        ("juvenile dermatomyositis", "myositis_type"),  # a type of the same condition
        ("Limited (CREST)", "ssc_type"),
        ("Male, why does it matter", "sex"),
        ("lupus & sjogrens", "condition"),  # a condition that often comes with lupus: no doubt
        ("MCTD", "condition"),  # an overlap is "something else"; the next question asks which
        ("overlap myositis with scleroderma", "myositis_type"),  # the overlap answer: another condition expected
    ],
)
def test_not_flagged(text: str, question: str) -> None:
    assert named(text)[question][1] == 1.0


def test_two_answers_to_one_question_are_flagged() -> None:
    assert named("lupus and scleroderma overlap")["condition"] == ("unsure", BOTH)
    # A "now" that closes the first answer's clause does not pick the second.
    assert named("lupus now, myositis before")["condition"] == ("unsure", BOTH)
    assert named("limited or diffuse, now I'm not sure")["ssc_type"] == ("unsure", BOTH)
    # A vaccine beside an infection never hides the infection.
    assert named("HIV positive, had the hep B vaccine")["infection_now"] == ("unsure", BOTH)


def test_an_unknown_section_is_an_error(tmp_path: Path) -> None:
    data = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    broken = tmp_path / "choices.yaml"
    broken.write_text(yaml.safe_dump({**data, "nowe": ["now"]}), encoding="utf-8")  # a misspelt section
    with pytest.raises(ValueError, match="nowe"):
        load(broken)
    assert load(PHRASES)["now"]  # the bundled file loads


@pytest.mark.parametrize("text", ["", "34", "not sure", "what does that mean"])
def test_nothing_named(text: str) -> None:
    assert READER.read(text) == []


def test_phrases_name_every_choice_in_the_buttons_order() -> None:
    trial = load_trial("NCT07193810")
    for question, choices in QUESTIONS.items():
        assert trial.facts[question].answer.type == "choice"
        assert [key for key in choices if key != "unsure"] == list(trial.facts[question].answer.choices or {}), question


def test_the_rules_name_real_questions_and_choices() -> None:
    data = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
    for section in ("onset", "no_periods"):
        for question, key in data[section].items():
            assert key in QUESTIONS[question], (section, question)
    for question, parents in data["subtypes"].items():
        assert question in QUESTIONS and all(key in QUESTIONS[parent] for parent, key in parents.items())
    assert set(data["doubt"]) <= {"all", *QUESTIONS}


def test_the_domain_declares_every_question_as_a_role() -> None:
    [declared] = [e["choice"] for e in domain()["entities"] if isinstance(e, dict) and "choice" in e]
    assert set(declared["roles"]) == set(QUESTIONS)


def test_the_component_adds_one_entity_per_question() -> None:
    message = Message(data={TEXT: "dermatomyositis"})
    ChoiceExtractor(ChoiceReader(spacy.blank("en"), {"condition": {"iim": ["dermatomyositis"]}})).process([message])
    assert [(e["entity"], e["role"], e["value"]) for e in message.get(ENTITIES)] == [("choice", "condition", "iim")]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_never_crashes(text: str) -> None:
    for found in READER.read(text):
        assert 0 < found.confidence <= 1.0
