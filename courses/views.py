"""The learner's 报名 (enrolment) in a course with a fee, from the course page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .models import CoursePage, EnrolmentState
from .payment import payment_begin
from .services import EnrolmentError, enrolment_request


@require_POST
@login_required
def course_enrol(request: HttpRequest, course_id: int) -> HttpResponse:
    """报名: record the enrolment and hand it to the payment backend; back to the course page
    (or on to a provider's checkout page) saying what happens next."""
    course = CoursePage.objects.live().filter(pk=course_id).first()
    if course is None:
        raise Http404
    try:
        enrolment = enrolment_request(learner=request.user, course=course, request=request)
    except EnrolmentError as refused:
        messages.error(request, str(refused))
        return redirect(course.url)
    if enrolment.state == EnrolmentState.CONFIRMED:
        return redirect(course.url)
    start = payment_begin(enrolment)
    messages.success(request, start.message)
    return redirect(start.url or course.url)
