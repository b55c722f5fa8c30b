from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.identity import id_number_reencrypt
from accounts.models import IdentityDispute, User


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored ID number under the newest key of ID_NUMBER_KEYS. Rotation: put "
        "a new key first in ID_NUMBER_KEYS, deploy, run this, then remove the old key."
    )

    def handle(self, *args, **options):
        total = 0
        for model in (User, IdentityDispute):
            rows = model.objects.exclude(id_number_ciphertext="").only("pk", "id_number_ciphertext")
            for row in rows.iterator(chunk_size=1000):
                with transaction.atomic():
                    model.objects.filter(pk=row.pk).update(
                        id_number_ciphertext=id_number_reencrypt(row.id_number_ciphertext)
                    )
                total += 1
        self.stdout.write(f"已用最新密钥重新加密 {total} 个身份证号码。")
