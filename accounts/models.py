from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Everyone who signs in. Custom from the first migration so that real-name data,
    organisations and roles (the accounts issue) extend it without a swap.

    The username is a chosen login name, never the ID number.
    """

    real_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.real_name or self.username
