"""What a higher layer plugs into the catalog (DESIGN.md §5: a registry, never an import upward).
The player, which records who studies what, registers how many learners a course has (学习人数),
by which the catalog sorts "最受欢迎"; until it does, every course has none."""

from collections.abc import Callable

from django.db.models import Expression, IntegerField, Value

_learner_count: Callable[[str], Expression] = lambda outer_ref="pk": Value(  # noqa: E731
    0, output_field=IntegerField()
)


def learner_count_register(expression: Callable[[str], Expression]) -> None:
    """`expression(outer_ref)`: a subquery expression counting the learners of the course that
    `outer_ref` names."""
    global _learner_count
    _learner_count = expression


def course_learner_count(outer_ref: str = "pk") -> Expression:
    return _learner_count(outer_ref)
