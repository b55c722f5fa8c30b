"""The 课程上架审核 workflow: the automatic completeness check, then the reviewer computed from
the course. Course and disclosure pages use it wherever they are (catalog.api.listing_workflow)."""

from django.db import migrations


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    tasks = []
    for model, name in (("completenesstask", "完整性检查"), ("listingreviewtask", "主管部门审核")):
        content_type, _ = ContentType.objects.get_or_create(app_label="catalog", model=model)
        Task = apps.get_model("catalog", model)
        task = Task.objects.filter(name=name).first() or Task.objects.create(
            name=name, content_type=content_type, active=True
        )
        tasks.append(task)
    workflow, created = Workflow.objects.get_or_create(name="课程上架审核", defaults={"active": True})
    if created:
        for order, task in enumerate(tasks):
            WorkflowTask.objects.create(workflow=workflow, task_id=task.pk, sort_order=order)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_listing_tasks"),
        ("wagtailcore", "0001_initial"),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
