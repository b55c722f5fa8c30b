"""Replace Wagtail's default welcome page with the platform's home page, so that a fresh
database serves the real home page before any demo content is loaded."""

from django.db import migrations

HOME_TITLE = "安阳市专业技术人员继续教育平台"


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("catalog.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    # Wagtail's own migration made a "Welcome to your new Wagtail site!" page at /home/.
    Page.objects.filter(depth=2, url_path="/home/", content_type__model="page").delete()

    homepage_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="catalog")
    locale = Locale.objects.order_by("pk").first()
    root = Page.objects.get(depth=1)
    homepage = HomePage.objects.create(
        title=HOME_TITLE,
        draft_title=HOME_TITLE,
        slug="home",
        content_type=homepage_type,
        path=root.path + "0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
    )
    root.numchild = 1
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": homepage, "site_name": HOME_TITLE},
    )


def remove_homepage(apps, schema_editor):
    apps.get_model("catalog.HomePage").objects.filter(slug="home").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("wagtailcore", "0001_initial"),
    ]
    run_before = []

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
