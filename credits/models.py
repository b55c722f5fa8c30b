"""Credit years and their rules (DESIGN.md §2). The hour ledger, declarations and records join
this app in the player and declarations issues."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CreditYearQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed=False)


class CreditYear(models.Model):
    """One year's rules, edited by the bureau; code always reads the rules of the year it computes.

    A closed year is frozen: its rules no longer change (enforced in `clean` and by the admin)."""

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    required_total = models.PositiveSmallIntegerField(_("每年应完成学时"), default=90)
    required_public = models.PositiveSmallIntegerField(_("其中公需科目不少于"), default=30)
    required_professional = models.PositiveSmallIntegerField(_("其中专业科目不少于"), default=60)
    minutes_per_hour = models.PositiveSmallIntegerField(
        _("在线学习每学时分钟数"),
        validators=[MinValueValidator(1)],
        help_text=_("课程学时不得超过视频总时长 ÷ 每学时分钟数（按 0.5 学时向下取整）"),
    )
    closed = models.BooleanField(_("已结束"), default=False)

    objects = CreditYearQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("学时年度")
        verbose_name_plural = _("学时年度")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes_per_hour__gte=1), name="credit_year_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度"

    def clean(self):
        super().clean()
        if self.minutes_per_hour and self.minutes_per_hour < settings.CREDIT_MINUTES_PER_HOUR_MIN:
            raise ValidationError(
                {
                    "minutes_per_hour": _("每学时不得少于 %(minimum)d 分钟。")
                    % {"minimum": settings.CREDIT_MINUTES_PER_HOUR_MIN}
                }
            )
        if self.pk and not self._state.adding:
            stored = CreditYear.objects.filter(pk=self.pk, closed=True).exists()
            if stored:
                raise ValidationError(_("该年度已结束，规则不能再修改。"))
