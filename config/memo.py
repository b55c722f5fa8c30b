"""What the per-process copies (a lesson's facts, the credit years' rules) share."""


class NotCopied(LookupError):
    """What a per-process copy does not hold, or holds too old to answer from, asked for without
    a query: the socket's event-loop path (player.loop_db), which never waits on the database,
    then hands the heartbeat to a database thread."""
