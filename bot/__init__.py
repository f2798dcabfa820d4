"""The Rasa assistant: domain, NLU training data, rules and stories, and their helper scripts."""
