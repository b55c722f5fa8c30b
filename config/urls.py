from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.documents import document_serve
from catalog import views as catalog_views
from courses import views as courses_views
from player import my_views as player_my_views

# Entries of the home page whose features come in later issues (catalog.entries).
_coming = [
    ("my/declarations/", "entry_declare"),
    ("verify/", "entry_verify"),
]

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document URL, answered through the project's permission check first.
    path("documents/<int:document_id>/<str:document_filename>", document_serve),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    path("my/", player_my_views.my_area, name="my_area"),
    path("my/hours/", player_my_views.my_hours, name="entry_hours"),
    path("my/records/", player_my_views.my_records, name="my_records"),
    path("my/", include("accounts.my_urls")),
    path("captcha/", include("captcha.urls")),
    path("api/player/", include("player.urls")),
    path("", include("media.delivery_urls")),  # signed video, image renditions; nothing else
    path("healthz", catalog_views.healthz, name="healthz"),
    path("search/", catalog_views.search, name="search"),
    path("courses/<int:course_id>/enrol/", courses_views.course_enrol, name="course_enrol"),
    *[
        path(f"courses/{subject}/", catalog_views.catalog_list, {"subject": subject}, name=name)
        for subject, name in (
            ("public", "entry_public"),
            ("professional", "entry_professional"),
            ("accounting", "entry_accounting"),
        )
    ],
    *[
        path(route, catalog_views.entry_coming, {"url_name": name}, name=name)
        for route, name in _coming
    ],
]

urlpatterns += [path("", include(wagtail_urls))]
