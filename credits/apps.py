from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "credits"
    verbose_name = "学时"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .api import deadlines_forget
        from .models import CreditYear

        post_save.connect(deadlines_forget, sender=CreditYear, dispatch_uid="deadlines_save")
        post_delete.connect(deadlines_forget, sender=CreditYear, dispatch_uid="deadlines_delete")
