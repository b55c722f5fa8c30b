"""Learners who never accepted the privacy notice (people an employer imported) are asked to
accept it before anything else; PIPL requires their informed consent."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_PREFIXES = ("/my/consent/", "/accounts/logout/", "/static/", "/captcha/", "/healthz")


class PrivacyConsentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "is_learner", False)
            and user.privacy_accepted_at is None
            and request.method == "GET"
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not request.path.startswith(("/api/", "/ws/", settings.ADMIN_URL_PREFIX))
        ):
            return redirect(f"{reverse('my_consent')}?next={request.path}")
        return self.get_response(request)
