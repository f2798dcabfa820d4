"""``python -m bot.validate``: Rasa's ``rasa data validate``, where every warning is an error unless explained.

Rasa's validator only looks at stories and rules, so it warns about things this bot does by
design elsewhere: questions a form asks (``utter_ask_<slot>``), responses a custom action
sends, intents only a form's validation reads, and intents only the coordinator API
triggers. Each such warning is checked against the code that explains it (the form's
required slots, an action file naming the response, ...). Any other warning, or any
failed check, fails the run.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.utils.common import EXPECTED_WARNINGS
from rasa.validator import Validator

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = ROOT / "actions"

_UNUSED_RESPONSE = re.compile(r"The utterance '(?P<name>[^']+)' is not used in any story or rule\.")
_UNUSED_INTENT = re.compile(r"The intent '(?P<name>[^']+)' is not used in any story or rule\.")
_NO_EXAMPLES = re.compile(r"The intent '(?P<name>[^']+)' is listed in the domain file, but is not found in the NLU")

# Reviewed by hand: an intent no rule names, and why that is right.
UNUSED_INTENTS = {
    "inform": "an answer to the form's question: the form reads its words, whatever the intent",
}


def _actions_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(ACTIONS.glob("*.py")))


def explain(message: str, *, form_slots: set[str], actions_source: str) -> str | None:
    """Why a validator warning is expected here, or None when it is a real problem."""
    if match := _UNUSED_RESPONSE.match(message):
        name = match["name"]
        if name.startswith("utter_ask_") and name.removeprefix("utter_ask_") in form_slots:
            return "asked by its form"
        if f'response="{name}"' in actions_source:
            return "sent by a custom action"
        if name == "utter_default":
            return "sent by Rasa's own fallback action"
        return None
    if match := _UNUSED_INTENT.match(message):
        name = match["name"]
        if name in UNUSED_INTENTS:
            return UNUSED_INTENTS[name]
        if re.search(rf"[\"']{re.escape(name)}[\"']", actions_source):
            return "read by a form's validation action"
        return None
    if (match := _NO_EXAMPLES.match(message)) and match["name"].startswith("EXTERNAL_"):
        return "triggered by the coordinator API, never typed"
    return None


def run_checks(config: Path, domain: Path, data: Path) -> tuple[bool, list[str]]:
    """Rasa's own checks (as ``rasa data validate`` runs them); whether they passed and their warnings."""
    importer = TrainingDataImporter.load_from_config(
        config_path=str(config), domain_path=str(domain), training_data_paths=[str(data)]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        validator = Validator.from_importer(importer)
        checks: list[Callable[[], bool]] = [
            validator.verify_domain_validity,
            validator.verify_actions_in_stories_rules,
            validator.verify_forms_in_stories_rules,
            validator.verify_form_slots,
            validator.verify_slot_mappings,
            lambda: validator.verify_nlu(True),
            lambda: validator.verify_story_structure(True),
        ]
        passed = all([check() for check in checks])  # a list: every check runs and warns
    # Rasa silences its own list of expected warnings (EXPECTED_WARNINGS); so do we.
    found = [
        str(w.message)
        for w in caught
        if issubclass(w.category, UserWarning)
        and not any(issubclass(w.category, kind) and re.match(text, str(w.message)) for kind, text in EXPECTED_WARNINGS)
    ]
    return passed, list(dict.fromkeys(found))


def main() -> int:
    """Validate bot/ with config.yml; print what is explained and fail on the rest."""
    domain_path, data_path, config_path = ROOT / "bot" / "domain", ROOT / "bot" / "data", ROOT / "config.yml"
    passed, found = run_checks(config_path, domain_path, data_path)
    domain = Domain.load(str(domain_path))
    form_slots = {slot for form in domain.forms.values() for slot in form.get("required_slots", [])}
    source = _actions_source()
    problems = []
    explained: dict[str, int] = {}
    for message in found:
        reason = explain(message, form_slots=form_slots, actions_source=source)
        if reason is None:
            problems.append(message)
        else:
            explained[reason] = explained.get(reason, 0) + 1
    for reason, count in sorted(explained.items()):
        print(f"expected: {count} warning(s): {reason}")
    for message in problems:
        print(f"error: {message}", file=sys.stderr)
    if not passed:
        print("error: Rasa's validation failed (see above)", file=sys.stderr)
    ok = passed and not problems
    print("bot data is valid" if ok else "bot data is NOT valid")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
