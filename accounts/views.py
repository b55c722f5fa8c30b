from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .forms import RegistrationForm
from .services import IdNumberTaken, Registration, RegistrationError, learner_register


@never_cache
@sensitive_post_parameters("id_number", "password1", "password2")
def register(request: HttpRequest) -> HttpResponse:
    """首次注册 for learners; they are logged in and wait for their employer's confirmation."""
    if request.user.is_authenticated:
        return redirect("my_area")
    form = RegistrationForm(request.POST or None)
    id_taken = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = learner_register(
                registration=Registration(
                    real_name=data["real_name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    password=data["password1"],
                    employer=data["employer"],
                    title_series=data["title_series"],
                    title_level=data["title_level"],
                    is_accountant=data["is_accountant"],
                    privacy_notice_version=form.privacy_notice_version,
                ),
                request=request,
            )
        except IdNumberTaken:
            id_taken = True
            form.add_error(
                "id_number",
                "该身份证号码已被注册。如果不是您本人注册的，请联系人社局核查（见下方说明）。",
            )
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])
            messages.success(request, "注册成功。请等待工作单位确认您的身份。")
            return redirect("my_area")
    return render(request, "accounts/register.html", {"form": form, "id_taken": id_taken})


@never_cache
@login_required
def my_area(request: HttpRequest) -> HttpResponse:
    """我的学习: who I am, my employer's confirmation, and where my hours will show."""
    return render(request, "my/area.html", {"person": request.user})


@never_cache
@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    """The owner's own profile: the only page that shows their full ID number."""
    user = request.user
    return render(
        request,
        "my/profile.html",
        {"person": user, "id_number": user.id_number_for_owner()},
    )
