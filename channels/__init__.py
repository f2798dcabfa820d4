"""Input channels we own: every one refuses "/intent" commands and caps message length."""
