"""Our extractors together: the order config.yml runs them in, and any text through all of them."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from answers.reading import ENTITY_OF
from nlu.pipeline import EXTRACTORS, entities
from nlu.topics import PHRASES as TOPICS
from tests.bot.test_domain import domain

CONFIG = Path(__file__).resolve().parents[2] / "config.yml"


def test_config_runs_our_extractors_in_order_after_the_synonym_mapper() -> None:
    names = [step["name"] for step in yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["pipeline"]]
    ours = [f"{cls.__module__}.{cls.__name__}" for cls in EXTRACTORS]
    start = names.index(ours[0])
    assert names[start : start + len(ours)] == ours
    assert names.index("EntitySynonymMapper") < start


def test_the_domain_declares_what_the_form_reads() -> None:
    declared = {next(iter(e)) if isinstance(e, dict) else e for e in domain()["entities"]}
    assert set(ENTITY_OF.values()) | {"polarity", "choice", "topic"} <= declared


def test_the_domain_declares_every_topic_question_as_a_role() -> None:
    [declared] = [e["topic"] for e in domain()["entities"] if isinstance(e, dict) and "topic" in e]
    assert set(declared["roles"]) == set(yaml.safe_load(TOPICS.read_text(encoding="utf-8"))["topics"])


def test_one_message_read_by_all() -> None:
    found = {e["entity"]: e["value"] for e in entities("prednisone 5 mg twice a day since March")}
    assert found["dose"] == {"medicine": "prednisone", "mg_per_day": 10, "how": "5 mg twice a day"}


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(), max_size=400)
    | st.text(alphabet=st.characters(whitelist_categories=("Cc", "Cf", "Zs", "Nd", "No", "So")), max_size=200)
    | st.from_regex(r"[0-9a-z /.,:\-½~]{0,80}", fullmatch=True)
)
def test_any_text_through_every_extractor(text: str) -> None:
    for entity in entities(text):
        assert entity["entity"] and "value" in entity
        assert 0.0 <= float(entity.get("confidence_entity", 1.0)) <= 1.0


def test_a_huge_message() -> None:
    entities("I took 20 mg of prednisone for 2 years 🙂 " * 5000)  # far beyond the channel's cap: still no error
