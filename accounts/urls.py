from django.urls import path

from . import login, views

urlpatterns = [
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", login.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/confirm/", views.password_reset_confirm, name="password_reset_confirm"),
]
