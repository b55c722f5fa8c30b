"""Sessions as Django's database store keeps them, read with one prepared statement.

Every logged-in request and every HTTP heartbeat loads its session; the ORM's `.get()` builds and
compiles that query each time (issue 17 measured a fifth of an HTTP heartbeat's CPU in the session
and user reads). The rows, the expiry and what is stored are Django's own
(`django.contrib.sessions.backends.db`); only the read differs.
"""

from django.contrib.sessions.backends import db
from django.utils import timezone

from config.db import hot_get


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session = hot_get(
            self.model,
            "session_key",
            self.session_key,
            extra='"expire_date" > %s',
            params=[timezone.now()],
        )
        if session is None:
            self._session_key = None
        return session
