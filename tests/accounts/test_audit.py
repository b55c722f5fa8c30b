"""The audit log is append-only in the database itself (DESIGN.md §5), on SQLite and PostgreSQL."""

import pytest
from django.db import DatabaseError, transaction

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEvent
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db


def test_audit_rows_refuse_update_and_delete():
    person = LearnerFactory()
    audit_record(action=AuditAction.LOGIN_SUCCEEDED, actor=person, subject=person)
    event = AuditEvent.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(succeeded=False)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        event.detail = {"tampered": True}
        event.save()
    event.refresh_from_db()
    assert event.succeeded is True and "tampered" not in event.detail
    # Appending still works.
    audit_record(action=AuditAction.LOGGED_OUT, actor=person, subject=person)
    assert AuditEvent.objects.count() == 2
