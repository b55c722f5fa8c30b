"""/api/player/… (DESIGN.md §4: exactly these paths, no trailing slash)."""

from django.urls import path

from . import views

urlpatterns = [
    path("sessions", views.sessions, name="player_sessions"),
    path("sessions/<str:session_id>/heartbeat", views.heartbeat, name="player_heartbeat"),
    path("sessions/<str:session_id>/challenge", views.challenge, name="player_challenge"),
    path("sessions/<str:session_id>/explanation", views.explanation, name="player_explanation"),
    path("challenges/<str:check_id>/image", views.challenge_image, name="player_challenge_image"),
    path("challenges/<str:check_id>/audio", views.challenge_audio, name="player_challenge_audio"),
    path("quizzes/<int:page_id>/attempts", views.quiz_attempts, name="player_quiz_attempts"),
    path("attempts/<str:attempt_id>", views.quiz_attempt, name="player_quiz_attempt"),
]
