from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.my_profile, name="my_profile"),
    path("profile/edit/", views.my_profile_edit, name="my_profile_edit"),
    path("password/", views.my_password, name="my_password"),
    path("consent/", views.my_consent, name="my_consent"),
]
