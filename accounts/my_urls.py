from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_area, name="my_area"),
    path("profile/", views.my_profile, name="my_profile"),
]
