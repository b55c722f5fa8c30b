"""Users, their real-name data, organisations and their scopes (DESIGN.md §1, §5)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .identity import (
    id_number_decrypt,
    id_number_digest,
    id_number_encrypt,
    id_number_mask,
    phone_mask,
)


class County(models.Model):
    """A county, district or development zone of Anyang (县（市、区）)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("县（市、区）")
        verbose_name_plural = _("县（市、区）")

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    name = models.CharField(_("行业"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("行业")
        verbose_name_plural = _("行业")

    def __str__(self) -> str:
        return self.name


class TitleSeries(models.Model):
    """A professional title series (职称系列), e.g. 工程技术 or 卫生, within an industry."""

    name = models.CharField(_("职称系列"), max_length=40, unique=True)
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, related_name="title_series", verbose_name=_("行业")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("职称系列")
        verbose_name_plural = _("职称系列")

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    EMPLOYER = "employer", _("用人单位")
    INSTITUTION = "institution", _("施教机构")
    DEPARTMENT = "department", _("行业主管部门")
    FINANCE_BUREAU = "finance_bureau", _("财政局")
    BUREAU = "bureau", _("人社局")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class OrganisationQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=OrganisationStatus.APPROVED)

    def employers(self):
        return self.filter(kind=OrganisationKind.EMPLOYER)


class Organisation(models.Model):
    """Every staff user acts for one organisation; what they reach is its scope.

    A bureau without a county is the city bureau (市人社局) and sees the whole city; a county
    bureau sees its county; a department its industry; an employer its own staff.
    """

    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, null=True, unique=True
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所在县（市、区）")
    )
    supervising_department = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"kind": OrganisationKind.DEPARTMENT},
        related_name="supervised",
        verbose_name=_("主管部门"),
    )
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("行业")
    )
    title_series = models.ManyToManyField(
        TitleSeries,
        blank=True,
        verbose_name=_("职称系列"),
        help_text=_("用人单位：主要聘用的职称系列；行业主管部门：负责审核的职称系列"),
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.PENDING,
    )
    contact_name = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    review_reason = models.TextField(_("审核意见"), blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        permissions = [("approve_organisation", _("审核用人单位注册"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="employer") | Q(credit_code__isnull=False),
                name="employer_has_credit_code",
            ),
            models.CheckConstraint(
                condition=~Q(kind="department") | Q(industry__isnull=False),
                name="department_has_industry",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_city_bureau(self) -> bool:
        return self.kind == OrganisationKind.BUREAU and self.county_id is None


class EmploymentStatus(models.TextChoices):
    PENDING = "pending", _("待单位确认")
    CONFIRMED = "confirmed", _("单位已确认")
    REJECTED = "rejected", _("单位未确认")


class TitleLevel(models.TextChoices):
    NONE = "none", _("未评定")
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    ASSOCIATE_SENIOR = "associate_senior", _("副高级")
    SENIOR = "senior", _("正高级")


class User(AbstractUser):
    """Everyone who signs in. Learners sign in with their ID number or phone; the username is a
    generated login name, never the ID number, so it can appear in lists and logs.

    The ID number is stored encrypted (`id_number_ciphertext`) with a keyed digest for lookups and
    uniqueness; `id_number_masked` is what everyone but its owner sees.
    """

    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=11, unique=True, null=True, blank=True)
    id_number_ciphertext = models.TextField(_("身份证号码（加密）"), blank=True, editable=False)
    id_number_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True, editable=False)
    identity_confirmed = models.BooleanField(
        _("实名信息已确认"),
        default=False,
        help_text=_("确认后本人不能再修改姓名和身份证号码，只能由人社局核实更正"),
    )

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_users",
        verbose_name=_("工作人员所属机构"),
    )
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        limit_choices_to={"kind": OrganisationKind.EMPLOYER},
        verbose_name=_("工作单位"),
    )
    employment_status = models.CharField(
        _("单位确认状态"),
        max_length=10,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.PENDING,
    )
    employment_reviewed_at = models.DateTimeField(_("单位确认时间"), null=True, blank=True)
    title_series = models.ForeignKey(
        TitleSeries, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("职称系列")
    )
    title_level = models.CharField(
        _("职称级别"), max_length=20, choices=TitleLevel.choices, default=TitleLevel.NONE
    )
    is_accountant = models.BooleanField(_("会计专业技术人员"), default=False)
    privacy_accepted_at = models.DateTimeField(_("同意隐私政策时间"), null=True, blank=True)
    privacy_notice_version = models.CharField(_("隐私政策版本"), max_length=20, blank=True)
    # Part of every session's auth hash: raising it ends all of the user's sessions at once.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [
            ("confirm_employment", _("确认本单位人员")),
            ("unlock_user", _("解除账号锁定")),
            ("correct_identity", _("更正姓名和身份证号码")),
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    def get_full_name(self) -> str:
        """What Wagtail shows for a person everywhere (lists, history, workflow): the real name;
        the internal username only for a staff account that has none."""
        return self.real_name or self.username

    def get_short_name(self) -> str:
        return self.get_full_name()

    @property
    def contact_masked(self) -> str:
        """How staff lists identify a person besides their name: masked phone, else masked ID."""

        return phone_mask(self.phone) if self.phone else self.id_number_masked

    def _get_session_auth_hash(self, secret=None):
        # Django's hash is of the password; ours adds the session generation (sessions_end_all).

        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def set_id_number(self, number: str) -> None:
        """Store a validated, normalised ID number: encrypted, digested and masked."""
        self.id_number_ciphertext = id_number_encrypt(number)
        self.id_number_digest = id_number_digest(number)
        self.id_number_masked = id_number_mask(number)

    def id_number_for_owner(self) -> str:
        """The full number, for its owner's own profile page only."""
        return id_number_decrypt(self.id_number_ciphertext) if self.id_number_ciphertext else ""

    @property
    def is_learner(self) -> bool:
        return bool(self.id_number_digest)


class AuditAction(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账号锁定")
    UNLOCKED = "unlocked", _("解除锁定")
    LOGGED_OUT = "logged_out", _("退出登录")
    SESSION_EXPIRED = "session_expired", _("登录过期退出")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    REGISTERED = "registered", _("注册")
    PROFILE_CHANGED = "profile_changed", _("修改敏感信息")
    ROLE_CHANGED = "role_changed", _("角色变更")
    EMPLOYMENT_REVIEWED = "employment_reviewed", _("单位确认")
    ID_NUMBER_VIEWED = "id_number_viewed", _("查看完整身份证号码")
    IDENTITY_CORRECTED = "identity_corrected", _("更正实名信息")
    ORGANISATION_REVIEWED = "organisation_reviewed", _("审核用人单位注册")
    RULES_CHANGED = "rules_changed", _("修改学时年度规则")
    ENROLMENT_REQUESTED = "enrolment_requested", _("课程报名")
    ENROLMENT_DECIDED = "enrolment_decided", _("确认报名缴费")


class AuditEvent(models.Model):
    """The security audit log (等保): append-only, refused UPDATE and DELETE by the database.

    `detail` never holds an ID number or a password; people are referred to by their user id.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    action = models.CharField(_("事件"), max_length=30, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("对象"),
    )
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    succeeded = models.BooleanField(_("结果"), default=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    RESOLVED = "resolved", _("已处理")


class IdentityDispute(models.Model):
    """Someone finds their ID number already registered by another account and asks the bureau
    to look into it. The number is kept as carefully as a user's (encrypted, digest, mask)."""

    real_name = models.CharField(_("姓名"), max_length=50)
    id_number_ciphertext = models.TextField(editable=False)
    id_number_digest = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, editable=False)
    phone = models.CharField(_("联系电话"), max_length=11)
    description = models.TextField(_("情况说明"), max_length=1000)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "created_at"]
        verbose_name = _("身份证号码核查申请")
        verbose_name_plural = _("身份证号码核查申请")

    def __str__(self) -> str:
        return f"{self.real_name} {self.id_number_masked}"

    def set_id_number(self, number: str) -> None:
        self.id_number_ciphertext = id_number_encrypt(number)
        self.id_number_digest = id_number_digest(number)
        self.id_number_masked = id_number_mask(number)

    def registered_account(self):
        return User.objects.filter(id_number_digest=self.id_number_digest).first()


class PasswordResetCode(models.Model):
    """One request for a password-reset code (找回密码), kept in the database so that a code,
    its wrong tries and the limits per phone and per address survive a Redis restart (DESIGN.md
    §5). Phones, addresses and codes are stored only as keyed digests; a request for a phone that
    names no account is stored too (it counts toward the limits) but carries no code."""

    phone_digest = models.CharField(max_length=64, db_index=True)
    address_digest = models.CharField(max_length=64, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    code_digest = models.CharField(max_length=64, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("密码重置验证码")
        verbose_name_plural = _("密码重置验证码")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} 密码重置"
