"""How the admin refuses, decided rather than guessed: Wagtail answers a logged-in user who may
use the admin but not this page with a redirect to the dashboard (and 抱歉，您没有权限访问该页面);
anyone who may not use the admin at all is sent to its login."""


def admin_refused(response, user=None) -> bool:
    """`response` is the admin's refusal of `user` (by default: someone who may use the admin)."""
    if response.status_code != 302:
        return False
    if user is None or user.has_perm("wagtailadmin.access_admin"):
        return response["Location"] == "/admin/"
    return response["Location"].startswith("/admin/login/?next=")
