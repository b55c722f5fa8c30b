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


def test_role_changes_are_audited_with_the_actor(client):
    from django.contrib.auth.models import Group

    from tests.factories import StaffUserFactory

    admin = StaffUserFactory(username="role_admin")
    person = LearnerFactory()
    client.force_login(admin)
    reviewers = Group.objects.get(name="审核员")
    data = {
        "username": person.username,
        "real_name": person.real_name,
        "is_active": "on",
        "groups": [reviewers.pk],
    }
    response = client.post(f"/admin/users/edit/{person.pk}/", data)
    assert response.status_code == 302
    person.groups.remove(reviewers)  # outside any request: no actor
    events = AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED, subject=person).order_by(
        "pk"
    )
    added = [e for e in events if e.detail["change"] == "added" and "审核员" in e.detail["groups"]]
    assert added and added[-1].actor == admin
    assert events.last().detail == {"change": "removed", "groups": ["审核员"]}
