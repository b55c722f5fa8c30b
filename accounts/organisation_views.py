"""Public pages for organisations: an employer registers itself (用人单位注册)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import organisation_services
from .forms import captcha_form
from .identity import phone_mask
from .organisation_forms import EmployerRegistrationForm
from .organisation_services import EmployerApplication, EmployerRegistrationError

_DONE_SESSION_KEY = "employer_registered"
CITY_LEVEL_COUNTY_CODE = "410500"  # 市直: reviewed by the city bureau


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "HEAD", "POST"])
def employer_register(request: HttpRequest) -> HttpResponse:
    """用人单位注册: the unit and its first reviewer, pending the county bureau's approval."""
    form = captcha_form(EmployerRegistrationForm, request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            employer = organisation_services.employer_register(
                application=EmployerApplication(
                    name=data["name"],
                    credit_code=data["credit_code"],
                    county=data["county"],
                    supervising_department=data["supervising_department"],
                    title_series=tuple(data["title_series"]),
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    reviewer_name=data["reviewer_name"],
                    reviewer_phone=data["reviewer_phone"],
                    password=data["password1"],
                ),
                request=request,
            )
        except EmployerRegistrationError as error:
            form.add_error(error.field, str(error))
        except ValidationError as error:
            form.add_error("credit_code", error)
        else:
            request.session[_DONE_SESSION_KEY] = {
                "name": employer.name,
                "bureau": (
                    "市人社局"
                    if employer.county.code == CITY_LEVEL_COUNTY_CODE
                    else f"{employer.county}人社局"
                ),
                "phone": data["reviewer_phone"],
            }
            return redirect("employer_register_done")
    return render(request, "accounts/organisation/employer_register.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD"])
def employer_register_done(request: HttpRequest) -> HttpResponse:
    """注册已提交: what happens next (the county bureau reviews; then the reviewer logs in)."""
    done = request.session.get(_DONE_SESSION_KEY)
    if not done:
        return redirect("employer_register")
    phone = done.get("phone", "")
    return render(
        request,
        "accounts/organisation/employer_register_done.html",
        {
            "name": done.get("name", ""),
            "bureau": done.get("bureau", "所在县（市、区）人社局"),
            "phone_masked": phone_mask(phone) if len(phone) == 11 else "",
        },
    )
