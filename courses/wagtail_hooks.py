from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Topic
from .snippets import InstructorViewSet


class TopicViewSet(SnippetViewSet):
    """公需科目专题: editable data (DESIGN.md §2); the bureau's admins change them."""

    model = Topic
    icon = "tag"
    menu_label = "公需科目专题"
    list_display = ["name", "kind", "sort_order"]


register_snippet(InstructorViewSet)
register_snippet(TopicViewSet)
