"""Content-Security-Policy: a strict policy for the site, a documented looser one for the admin."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class SiteAndAdminCSPMiddleware(CSPMiddleware):
    """Apply ADMIN_CONTENT_SECURITY_POLICY under /admin/ and CONTENT_SECURITY_POLICY elsewhere.

    A view can still set its own policy with django-csp's decorators; this only changes the
    default for admin paths.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(settings.ADMIN_URL_PREFIX)
        ):
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts
