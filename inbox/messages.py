"""Every word the inbox shows about a state, and every error, in one place with stable codes.

The codes (``INBOX-0xx``) are what a coordinator quotes to support and what tests check;
the texts may be reworded freely.
"""

from __future__ import annotations

# Why the bot handed a conversation over (codes from actions.handoff.Reason).
REASONS = {
    "patient_request": "Patient asked for a person",
    "medical_question": "Medical question",
    "unplaceable_answer": "Answer the bot could not place",
    "unsure_answer": "Patient not sure",
    "contradiction": "Answers contradict each other",
    "low_confidence": "Answer needs checking",
    "judgement": "Needs a clinician's judgement",
    "nlu_fallback": "Bot did not understand",
    "no_answer": "No answer after three tries",
}
STATUSES = {
    "open": "Open",
    "claimed": "Claimed",
    "waiting": "Waiting for patient",
    "resolved": "Resolved",
}
CRITERION_STATES = {
    "met": "Met",
    "not_met": "Not met",
    "unknown": "Unknown",
    "site_verifies": "Site verifies",
    "not_yet": "Not yet",
    "not_applicable": "Not applicable",
}
VERDICTS = {
    "not_eligible": "Not eligible",
    "needs_coordinator": "Needs a coordinator",
    "incomplete": "Incomplete",
    "not_yet": "Not yet (a waiting period)",
    "likely_eligible": "Likely eligible",
}
# What a coordinator's action did (shown once after it, by code in the address).
DONE = {
    "claimed": "You claimed this handoff.",
    "unclaimed": "The handoff is back in the queue.",
    "replied": "Your message was sent to the patient.",
    "replied_rest": "Your message was recorded; this patient's channel cannot receive it until they write again.",
    "settled": "The answer is settled. Resume the bot when you are done.",
    "resumed": "The bot is screening the patient again.",
    "resolved": "The handoff is resolved.",
    "noted": "Note added.",
    "created": "Account created.",
}

ERRORS = {
    "INBOX-001": "Wrong user name or password, or the account is locked for a while. Try again later.",
    "INBOX-002": "Your session has ended. Please sign in again.",
    "INBOX-003": "This form has expired or did not come from the inbox. Reload the page and try again.",
    "INBOX-004": "Only an admin can do this.",
    "INBOX-005": "No such handoff.",
    "INBOX-006": "The bot could not be reached: {detail}",
    "INBOX-007": "That answer does not fit the question: {detail}",
    "INBOX-008": "{detail}",  # a handoff's state does not allow it (store.handoffs.HandoffError)
    "INBOX-009": "A message to the patient needs some text, at most {limit} characters.",
    "INBOX-010": "Choose a question to settle.",
    "INBOX-011": "{detail}",  # an account could not be created
    "INBOX-012": "The patient stopped messages from the study on {when} (STOP, or blocked the bot): "
    "a reply would not reach them. They carry on by writing again (START by SMS).",
    # The settle form's fields (inbox.fields): what is missing or does not fit, and where.
    "INBOX-013": "Give an answer: {what}.",
    "INBOX-014": "Give one answer only: {what}.",
    "INBOX-015": "{field}: enter a number, such as {example}.",
    "INBOX-016": "{field}: enter a date as year-month-day, such as {example}.",
    "INBOX-017": "{field}: choose one of the list.",
    "INBOX-018": "Medicine {row}: choose it from the list or type its name, not both.",
    "INBOX-019": "Medicine {row}: a duration needs a medicine.",
    "INBOX-020": "{field}: {what}.",
}


def error(code: str, **detail: object) -> str:
    """The text of an error, with its code."""
    return f"{ERRORS[code].format(**detail)} ({code})"
