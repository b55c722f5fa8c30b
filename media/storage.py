"""Storage helpers shared by upload, processing and delivery. The default storage is S3 where
configured (a private bucket) and var/media otherwise; both are used through Django's Storage
API, so the same code runs on both."""

import mimetypes
import shutil
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, default_storage


def storage_walk(prefix: str, storage: Storage = default_storage) -> list[str]:
    """Every file key under `prefix` (which ends with a slash)."""
    try:
        directories, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return []
    keys = [f"{prefix}{name}" for name in files]
    for directory in directories:
        keys.extend(storage_walk(f"{prefix}{directory}/", storage))
    return keys


def storage_delete_prefix(prefix: str, storage: Storage = default_storage) -> int:
    if not prefix or not prefix.endswith("/"):
        raise ValueError("refusing to delete without a directory prefix")
    keys = storage_walk(prefix, storage)
    for key in keys:
        storage.delete(key)
    return len(keys)


def storage_upload_tree(
    local_dir: Path, prefix: str, storage: Storage = default_storage
) -> list[str]:
    """Upload every file under `local_dir` to `prefix`, keeping relative paths and labelling each
    with its content type (video/mp2t segments, application/vnd.apple.mpegurl playlists)."""
    keys = []
    for path in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        key = f"{prefix}{path.relative_to(local_dir).as_posix()}"
        if storage.exists(key):
            storage.delete(key)  # file_overwrite is off: a retried run writes the same names
        with path.open("rb") as handle:
            wrapped = File(handle, name=path.name)
            wrapped.content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            saved = storage.save(key, wrapped)
        if saved != key:
            raise RuntimeError(f"storage renamed {key} to {saved}")
        keys.append(key)
    return keys


def storage_download(key: str, target: Path, storage: Storage = default_storage) -> None:
    with storage.open(key, "rb") as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, length=8 * 1024 * 1024)
