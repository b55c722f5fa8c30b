"""How sizes and durations of videos read on the admin's pages and in upload messages."""


def size_display(size: int) -> str:
    """A byte count as people read it: 1.5 MB, 700 字节."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} 字节"


def duration_display(seconds: float) -> str:
    """1:02:03, or 2:03 under an hour."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
