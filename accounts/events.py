"""What accounts tells the layers above without knowing them (DESIGN.md §5: they import
accounts, never the other way)."""

from django.dispatch import Signal

# Every login of a user has just ended (logout, a password change, an administrator's action):
# sent after commit with `user_id`. The player closes that learner's open sockets.
logins_ended = Signal()
