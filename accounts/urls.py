from django.urls import path

from . import login, organisation_views, views

urlpatterns = [
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", login.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("captcha/<str:key>/audio/", views.captcha_audio, name="captcha_audio_spoken"),
    path(
        "register/employer/",
        organisation_views.employer_register,
        name="employer_register",
    ),
    path(
        "register/employer/done/",
        organisation_views.employer_register_done,
        name="employer_register_done",
    ),
    path("id-dispute/", views.id_dispute, name="id_dispute"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/confirm/", views.password_reset_confirm, name="password_reset_confirm"),
]
