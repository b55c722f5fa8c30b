"""ID numbers stay readable across a key rotation, and the old key can then be dropped."""

import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.test import override_settings

from accounts.identity import id_number_decrypt
from tests.factories import LearnerFactory, valid_id_number

pytestmark = pytest.mark.django_db


def test_rotation_re_encrypts_under_the_new_key(settings):
    old_key = settings.ID_NUMBER_KEYS[0]
    person = LearnerFactory(id_number=valid_id_number(61))
    new_key = Fernet.generate_key().decode()
    with override_settings(ID_NUMBER_KEYS=[new_key, old_key]):
        call_command("rotate_id_keys", stdout=io.StringIO())
    person.refresh_from_db()
    with override_settings(ID_NUMBER_KEYS=[new_key]):
        assert id_number_decrypt(person.id_number_ciphertext) == valid_id_number(61)
    with override_settings(ID_NUMBER_KEYS=[old_key]), pytest.raises(InvalidToken):
        id_number_decrypt(person.id_number_ciphertext)
