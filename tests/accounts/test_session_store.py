"""accounts.sessions: Django's database sessions, read and updated with one prepared statement,
with Django's answers kept (the data and expiry written; UpdateError when the row is gone)."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import transaction

from accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_an_existing_session_is_updated_in_place():
    store = SessionStore()
    store["step"] = 1
    store.save()  # created by Django's own code
    key = store.session_key
    store["step"] = 2
    store.set_expiry(3600)
    store.save()
    again = SessionStore(key)
    assert again["step"] == 2 and Session.objects.count() == 1
    assert 3590 <= again.get_expiry_age() <= 3600


def test_a_session_whose_row_is_gone_is_an_update_error_and_nothing_is_recreated():
    store = SessionStore()
    store["step"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).delete()  # a logout elsewhere
    store["step"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()


def test_a_failed_update_inside_a_transaction_leaves_the_transaction_usable():
    store = SessionStore()
    store["step"] = 1
    store.save()
    with transaction.atomic():
        Session.objects.filter(session_key=store.session_key).delete()
        with pytest.raises(UpdateError):
            store.save()
        assert Session.objects.count() == 0  # the transaction still answers
