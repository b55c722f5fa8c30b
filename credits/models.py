"""Credit years and their rules (DESIGN.md §2), and the hour ledger (§5). Declarations and
records join this app in later issues."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# DESIGN.md §2: online hours count for the year whose deadline (by default Dec 30 24:00 Asia/Shanghai;
# the 会计专区 Dec 31) the completion comes before; later completions count for the next year. Each
# year's record may move its deadlines (the bureau's notice for that year says them).
DEADLINE_MONTH_DAY = (12, 30)
ACCOUNTING_DEADLINE_MONTH_DAY = (12, 31)


def default_deadline(year: int, *, accounting: bool = False) -> datetime.date:
    month, day = ACCOUNTING_DEADLINE_MONTH_DAY if accounting else DEADLINE_MONTH_DAY
    return datetime.date(year, month, day)


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
    completion_coverage = models.DecimalField(
        _("完成一讲所需观看比例"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.95"),
        validators=[MinValueValidator(Decimal("0.50")), MaxValueValidator(Decimal("1.00"))],
    )
    heartbeat_interval_seconds = models.PositiveSmallIntegerField(
        _("播放心跳间隔（秒）"), default=10, validators=[MinValueValidator(5)]
    )
    heartbeat_messages_per_interval = models.PositiveSmallIntegerField(
        _("每个心跳间隔允许的消息数"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
        help_text=_(
            "同一次学习超过此频率的心跳消息不予处理（HTTP 429，持续刷屏的连接被断开）；"
            "断网期间积压的心跳在恢复后仍可一次补发"
        ),
    )
    outage_grace_seconds = models.PositiveSmallIntegerField(
        _("断网补记上限（秒）"), default=120, validators=[MaxValueValidator(600)]
    )
    attention_check_min_minutes = models.PositiveSmallIntegerField(
        _("随机验证最短间隔（分钟）"), default=8, validators=[MinValueValidator(1)]
    )
    attention_check_max_minutes = models.PositiveSmallIntegerField(
        _("随机验证最长间隔（分钟）"), default=15, validators=[MinValueValidator(1)]
    )
    deadline = models.DateField(
        _("学时截止日期"),
        null=True,  # never stored empty: save() fills in the default
        blank=True,
        help_text=_(
            "在线学习在此日 24:00 前完成的计入本年度，之后的计入下一年度；默认 12 月 30 日"
        ),
    )
    accounting_deadline = models.DateField(
        _("会计专区截止日期"), null=True, blank=True, help_text=_("默认 12 月 31 日")
    )
    review_working_days = models.PositiveSmallIntegerField(
        _("每级审核时限（工作日）"), default=5, validators=[MinValueValidator(1)]
    )
    closed = models.BooleanField(
        _("已结束"), default=False, help_text=_("结束后本年度规则冻结，不能再修改")
    )

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

    def save(self, *args, **kwargs):
        # The notice's dates, for a year created without them.
        self.deadline = self.deadline or default_deadline(self.year)
        self.accounting_deadline = self.accounting_deadline or default_deadline(
            self.year, accounting=True
        )
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        for field in ("deadline", "accounting_deadline"):
            value = getattr(self, field)
            # In its own year, or early in the next (a deadline moved past New Year).
            if value and not (
                value.year == self.year or (value.year == self.year + 1 and value.month <= 3)
            ):
                raise ValidationError({field: _("截止日期应在本年度内（最迟次年 3 月）。")})
        if self.minutes_per_hour and self.minutes_per_hour < settings.CREDIT_MINUTES_PER_HOUR_MIN:
            raise ValidationError(
                {
                    "minutes_per_hour": _("每学时不得少于 %(minimum)d 分钟。")
                    % {"minimum": settings.CREDIT_MINUTES_PER_HOUR_MIN}
                }
            )
        if self.attention_check_min_minutes > self.attention_check_max_minutes:
            raise ValidationError({"attention_check_max_minutes": _("最长间隔不能小于最短间隔。")})
        if self.pk and not self._state.adding:
            stored = CreditYear.objects.filter(pk=self.pk, closed=True).exists()
            if stored:
                raise ValidationError(_("该年度已结束，规则不能再修改。"))


class CreditCategory(models.TextChoices):
    PUBLIC = "public", _("公需科目")
    PROFESSIONAL = "professional", _("专业科目")  # the 会计专区 counts as professional


class CreditSource(models.TextChoices):
    ONLINE_COURSE = "online_course", _("在线学习")
    DECLARATION = "declaration", _("学时申报")
    CORRECTION = "correction", _("更正")


class CreditEntry(models.Model):
    """One line of a learner's hour ledger (DESIGN.md §5): append-only in the database itself
    (triggers refuse UPDATE and DELETE on PostgreSQL and SQLite); a correction is a new entry
    with a reason and an actor; one source credits once (`source_key` per learner)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="credit_entries",
        verbose_name=_("学员"),
    )
    year = models.ForeignKey(
        CreditYear, on_delete=models.PROTECT, related_name="entries", verbose_name=_("年度")
    )
    category = models.CharField(_("科目类别"), max_length=20, choices=CreditCategory.choices)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    source = models.CharField(_("来源"), max_length=20, choices=CreditSource.choices)
    source_key = models.CharField(_("来源标识"), max_length=120)
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_entries",
        verbose_name=_("课程"),
    )
    reason = models.TextField(_("原因"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    created_at = models.DateTimeField(_("记入时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("学时记录")
        verbose_name_plural = _("学时记录")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "source_key"], name="credit_entry_one_per_source"
            ),
            models.CheckConstraint(
                condition=~models.Q(source="online_course") | models.Q(course__isnull=False),
                name="credit_online_has_course",
            ),
            models.CheckConstraint(
                condition=~models.Q(source="correction")
                | (models.Q(actor__isnull=False) & ~models.Q(reason="")),
                name="credit_correction_has_actor_and_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(source="correction") | models.Q(hours__gt=0),
                name="credit_positive_unless_correction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year_id} {self.get_category_display()} {self.hours} 学时"
