from wagtail.snippets.models import register_snippet

from .snippets import InstructorViewSet

register_snippet(InstructorViewSet)
