"""The update pipeline: each update handled exactly once, its replies sent after its commit.

- `unit.UpdateUnit`: the update's transaction; its first commit records the update id.
- `transaction.UpdateTransactionMiddleware`: opens the unit, skips redelivered updates, commits.
- `send_guard.CommitBeforeSend`: a Bot API call made while an update is being handled first
  commits what the update did, so nothing is said before it is saved and no database lock is held
  across a network call.
- `polling.ExactlyOncePolling`: confirms an update to Telegram only once its handling finished.
"""
