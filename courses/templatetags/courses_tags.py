from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as 时:分:秒 (or 分:秒 under an hour), as a video player shows it."""
    try:
        total = int(round(float(seconds)))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(max(total, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
