"""Reminders that reach the user without the window: what needs attention (findings), which of
it to tell (preferences), what was told already (the sent ledger), and the desktop notification
that tells it. No Qt: the tray app and `myssl-keys check --notify` share all of it."""
