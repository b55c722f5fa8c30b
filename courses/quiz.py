"""Quizzes (课后测验) and final exams (结业考试), authored in the admin as StreamField blocks.

Questions live in the page's revisions, so changing a live course's quiz needs a new approval
like any other change. Grading happens on the server (player issue); learners only ever get
`quiz_public_questions`, which carries no answers.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.blocks import StructBlockValidationError
from wagtail.fields import StreamField


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("选项"), max_length=200)
    correct = blocks.BooleanBlock(label=_("正确答案"), required=False)

    class Meta:
        label = _("选项")


class ChoiceQuestionBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("题干"), max_length=500)
    options = blocks.ListBlock(OptionBlock(), label=_("选项"), min_num=2, max_num=8)

    # How many options must be marked correct: (minimum, maximum, message).
    correct_count = (1, 1, _("单选题须有且只有一个正确答案。"))

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for option in value["options"] if option["correct"])
        minimum, maximum, message = self.correct_count
        if not minimum <= correct <= maximum:
            raise StructBlockValidationError(block_errors={"options": ValidationError(message)})
        return value


class SingleChoiceBlock(ChoiceQuestionBlock):
    class Meta:
        icon = "radio-full"
        label = _("单选题")


class MultipleChoiceBlock(ChoiceQuestionBlock):
    correct_count = (2, 8, _("多选题须有至少两个正确答案。"))

    class Meta:
        icon = "tasks"
        label = _("多选题")


class TrueFalseBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("题干"), max_length=500)
    answer = blocks.ChoiceBlock(
        label=_("答案"), choices=[("true", _("正确")), ("false", _("错误"))]
    )

    class Meta:
        icon = "check"
        label = _("判断题")


QUESTION_BLOCKS = [
    ("single", SingleChoiceBlock()),
    ("multiple", MultipleChoiceBlock()),
    ("true_false", TrueFalseBlock()),
]
TRUE_FALSE_OPTIONS = (("true", _("正确")), ("false", _("错误")))


class WhenExhausted(models.TextChoices):
    REWATCH = "rewatch", _("重新观看后获得新的作答次数")
    CLOSED = "closed", _("不再提供作答机会（须联系施教机构）")


class QuizFields(models.Model):
    """A quiz on a lesson, or the final exam on a course: questions, pass mark, attempt limit and
    what happens when the attempts run out. No questions means no quiz."""

    quiz_questions = StreamField(QUESTION_BLOCKS, blank=True, verbose_name=_("试题"))
    quiz_pass_mark = models.PositiveSmallIntegerField(
        _("及格分（百分制）"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    quiz_attempt_limit = models.PositiveSmallIntegerField(
        _("作答次数上限"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    quiz_when_exhausted = models.CharField(
        _("次数用完后"),
        max_length=10,
        choices=WhenExhausted.choices,
        default=WhenExhausted.REWATCH,
    )

    class Meta:
        abstract = True

    @classmethod
    def quiz_panel(cls, heading):
        return MultiFieldPanel(
            [
                FieldPanel("quiz_questions"),
                FieldPanel("quiz_pass_mark"),
                FieldPanel("quiz_attempt_limit"),
                FieldPanel("quiz_when_exhausted"),
            ],
            heading=heading,
        )

    @property
    def has_quiz(self) -> bool:
        return len(self.quiz_questions) > 0

    def quiz_public_questions(self) -> list[dict]:
        """The questions as a learner may see them: ids, kinds, texts and options, no answers."""
        questions = []
        for block in self.quiz_questions:
            if block.block_type == "true_false":
                options = [{"id": key, "text": str(text)} for key, text in TRUE_FALSE_OPTIONS]
            else:
                options = [
                    {"id": option.id, "text": option.value["text"]}
                    for option in block.value["options"].bound_blocks
                ]
            questions.append(
                {
                    "id": block.id,
                    "kind": block.block_type,
                    "kind_label": str(block.block.meta.label),
                    "question": block.value["question"],
                    "options": options,
                }
            )
        return questions

    def quiz_review_questions(self) -> list[dict]:
        """The questions with their answers marked, for the reviewer's preview only."""
        questions = self.quiz_public_questions()
        for question, block in zip(questions, self.quiz_questions, strict=True):
            if block.block_type == "true_false":
                correct = {block.value["answer"]}
            else:
                correct = {
                    option.id
                    for option in block.value["options"].bound_blocks
                    if option.value["correct"]
                }
            for option in question["options"]:
                option["correct"] = option["id"] in correct
        return questions
