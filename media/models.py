"""Courseware video: one uploaded lecture and the HLS renditions made from it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.api import Organisation


class VideoStatus(models.TextChoices):
    UPLOADING = "uploading", _("上传中")
    UPLOADED = "uploaded", _("已上传")
    PROCESSING = "processing", _("转码中")
    READY = "ready", _("可播放")
    FAILED = "failed", _("失败")


class VideoAssetQuerySet(models.QuerySet):
    def for_institution(self, institution_id: int):
        return self.filter(institution_id=institution_id)

    def ready(self):
        return self.filter(status=VideoStatus.READY)


class VideoAsset(models.Model):
    """A lecture video of one institution. Every object key lives under the institution's own
    prefix, chosen by the server: `institutions/<id>/videos/<key>/`. The source sits at
    `source`, each processing run writes `hls/<run>/`, and `hls_prefix` names the run in use:
    switching it is what makes a run's output live, so a run that dies leaves nothing in use.
    """

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="video_assets",
        limit_choices_to={"kind": "institution"},
        verbose_name=_("施教机构"),
    )
    title = models.CharField(_("标题"), max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    source_key = models.CharField(max_length=500, blank=True, editable=False)
    source_size = models.BigIntegerField(_("文件大小（字节）"), default=0)
    upload_id = models.CharField(max_length=300, blank=True, editable=False)

    status = models.CharField(
        _("状态"), max_length=12, choices=VideoStatus.choices, default=VideoStatus.UPLOADING
    )
    failure_reason = models.TextField(_("失败原因"), blank=True)
    progress = models.FloatField(_("转码进度"), default=0.0)
    run = models.UUIDField(null=True, blank=True, editable=False)
    processing_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveIntegerField(default=0, editable=False)

    duration = models.FloatField(_("时长（秒）"), default=0.0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    hls_prefix = models.CharField(max_length=500, blank=True, editable=False)
    renditions = models.JSONField(default=list, blank=True, editable=False)
    poster_key = models.CharField(max_length=500, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VideoAssetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("课件视频")
        verbose_name_plural = _("课件视频")
        indexes = [models.Index(fields=["status", "processing_started_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def prefix(self) -> str:
        return f"institutions/{self.institution_id}/videos/{self.key}/"

    @property
    def master_key(self) -> str:
        return f"{self.hls_prefix}master.m3u8" if self.hls_prefix else ""

    @property
    def progress_percent(self) -> int:
        return int(round(self.progress * 100))
