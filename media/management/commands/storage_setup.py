"""Prepare the bucket for browser uploads: create it if missing (MinIO, moto), let the site's
origin PUT parts to it (and GET/HEAD for playback) with the ETag exposed, and abort multipart
uploads left incomplete for a day."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

CORS_RULE_ID = "anyang-browser-upload"
LIFECYCLE_RULE_ID = "anyang-abort-incomplete-multipart"


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CommandError(f"not an origin (scheme://host[:port]): {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def site_origins() -> list[str]:
    """The site's origins: the admin's base URL and the CSRF-trusted origins."""
    urls = [settings.WAGTAILADMIN_BASE_URL, *settings.CSRF_TRUSTED_ORIGINS]
    return list(dict.fromkeys(_origin(url) for url in urls if url and "*" not in url))


class Command(BaseCommand):
    help = (
        "Set up the S3 bucket of the default storage for browser uploads: create it if missing "
        "(MinIO, moto), set a CORS rule letting the site's origin(s) PUT upload parts and GET/HEAD "
        "objects with the ETag header exposed (the uploader needs each part's ETag), and a "
        "lifecycle rule aborting multipart uploads still incomplete after 1 day. Other CORS and "
        "lifecycle rules are kept. The site's origins are the --origin options, or else "
        "WAGTAILADMIN_BASE_URL and DJANGO_CSRF_TRUSTED_ORIGINS. The browser also needs the "
        "admin's Content-Security-Policy to allow the bucket: set STORAGE_ORIGINS to the bucket's "
        "origin (this command prints it) or uploads are blocked by connect-src. Does nothing "
        "where files are stored under var/ (no AWS_STORAGE_BUCKET_NAME)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--origin",
            action="append",
            default=[],
            help="a site origin allowed to upload, e.g. https://jxjy.example.cn (repeatable)",
        )
        parser.add_argument(
            "--no-create", action="store_true", help="fail instead of creating a missing bucket"
        )

    def handle(self, *args, origin, no_create, **options):
        from botocore.exceptions import ClientError
        from django.core.files.storage import default_storage

        from media.upload import upload_mode

        if upload_mode() != "s3":
            self.stdout.write(
                "文件存放在本地目录（未设置 AWS_STORAGE_BUCKET_NAME），无需设置存储桶。"
            )
            return
        origins = [_origin(o) for o in origin] or site_origins()
        if not origins:
            raise CommandError("no site origin: pass --origin or set WAGTAILADMIN_BASE_URL")
        client = default_storage.connection.meta.client
        bucket = default_storage.bucket_name

        try:
            client.head_bucket(Bucket=bucket)
            self.stdout.write(f"bucket {bucket} exists")
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code not in ("404", "NoSuchBucket", "NotFound"):
                raise CommandError(f"cannot reach bucket {bucket}: {code or error}") from error
            if no_create:
                raise CommandError(f"bucket {bucket} does not exist") from error
            region = client.meta.region_name
            if region and region != "us-east-1":
                client.create_bucket(
                    Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
                )
            else:
                client.create_bucket(Bucket=bucket)
            self.stdout.write(self.style.SUCCESS(f"created bucket {bucket}"))

        rules = [r for r in self._cors_rules(client, bucket) if r.get("ID") != CORS_RULE_ID]
        rules.append(
            {
                "ID": CORS_RULE_ID,
                "AllowedOrigins": origins,
                "AllowedMethods": ["PUT", "GET", "HEAD"],
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag", "Content-Length", "Content-Range", "Accept-Ranges"],
                "MaxAgeSeconds": 3600,
            }
        )
        client.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
        self.stdout.write(f"CORS: PUT/GET/HEAD from {', '.join(origins)}, ETag exposed")

        lifecycle = [
            r for r in self._lifecycle_rules(client, bucket) if r.get("ID") != LIFECYCLE_RULE_ID
        ]
        lifecycle.append(
            {
                "ID": LIFECYCLE_RULE_ID,
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            }
        )
        client.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": lifecycle}
        )
        self.stdout.write("lifecycle: incomplete multipart uploads aborted after 1 day")

        bucket_origin = _origin(
            client.generate_presigned_url(
                "put_object", Params={"Bucket": bucket, "Key": "probe"}, ExpiresIn=60
            )
        )
        if bucket_origin in settings.STORAGE_ORIGINS:
            self.stdout.write(f"STORAGE_ORIGINS names the bucket's origin {bucket_origin}")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"STORAGE_ORIGINS does not name the bucket's origin: add {bucket_origin} "
                    "to it, or the admin's Content-Security-Policy blocks the uploads"
                )
            )
        self.stdout.write(self.style.SUCCESS("storage ready for browser uploads"))

    @staticmethod
    def _cors_rules(client, bucket) -> list[dict]:
        from botocore.exceptions import ClientError

        try:
            return client.get_bucket_cors(Bucket=bucket).get("CORSRules", [])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchCORSConfiguration":
                return []
            raise

    @staticmethod
    def _lifecycle_rules(client, bucket) -> list[dict]:
        from botocore.exceptions import ClientError

        try:
            return client.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchLifecycleConfiguration":
                return []
            raise
