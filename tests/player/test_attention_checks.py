"""Attention checks (DESIGN.md §4 step 5): a code drawn on the server at a random moment of
credited time; nothing is credited until it is answered; three wrong answers end the session and
raise a fraud signal; the check belongs to the learner, not the session."""

import shutil

import pytest

from player.models import CheckFailure, FraudSignal, LearnerPlayState, PlaybackSession
from tests.player.conftest import lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(world, course, player, clock):
    """A learner whose check is due after one minute of credited time, and has come."""
    world.year.attention_check_min_minutes = world.year.attention_check_max_minutes = 1
    world.year.save()
    player.start(lessons_of(course)[0])
    answer = player.watch(clock, 0, 50)
    assert answer["challenge"] is None
    answer = player.watch(clock, 50, 60)
    challenge = answer["challenge"]
    assert challenge is not None and challenge["expires_in"] == 60
    return challenge


def code_of(player) -> str:
    return LearnerPlayState.objects.get(learner=player.user).check_code


def answer(player, challenge, code):
    return player.post(
        f"/api/player/sessions/{player.session}/challenge", {"id": challenge["id"], "answer": code}
    )


def test_a_pending_check_stops_crediting_until_answered(checked, player, clock):
    clock.tick(10)
    status, beat = player.beat([[60, 70]])
    assert beat["credited"] == 0 and beat["reasons"] == ["challenge_pending"]
    assert beat["challenge"]["id"] == checked["id"]
    clock.tick(3)
    status, result = answer(player, checked, code_of(player))
    assert (status, result) == (200, {"passed": True})
    state = LearnerPlayState.objects.get(learner=player.user)
    assert state.checks_passed == 1 and not state.check_pending
    clock.tick(10)
    status, beat = player.beat([[60, 70]])
    assert beat["credited"] == 10 and beat["challenge"] is None


def test_the_image_is_served_once_to_its_owner_only(checked, player, other_player):
    other = other_player.client.get(checked["image"])
    assert other.status_code == 404
    response = player.client.get(checked["image"])
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert player.client.get(checked["image"]).status_code == 410
    assert player.client.get("/api/player/challenges/not-a-uuid/image").status_code == 404


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")
def test_the_audio_reads_the_code(checked, player):
    response = player.client.get(checked["audio"])
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert response.content[:4] == b"RIFF" and len(response.content) > 10_000
    assert player.client.get(checked["audio"]).status_code == 410


def test_answers_are_rate_limited(checked, player, clock):
    assert answer(player, checked, "0000")[0] == 200
    challenge = LearnerPlayState.objects.get(learner=player.user)
    status, body = answer(player, {"id": str(challenge.check_id)}, "0000")
    assert status == 429 and body["error"]
    assert CheckFailure.objects.count() == 1


def test_three_wrong_answers_end_the_session_and_raise_a_fraud_signal(checked, player, clock):
    challenge = checked
    for _ in range(3):
        clock.tick(3)
        status, result = answer(player, challenge, "0000")
        assert status == 200 and result["passed"] is False
        challenge = result["challenge"]
    assert result["ended"] is True and challenge is None
    session = PlaybackSession.objects.get(pk=player.session)
    assert session.end_reason == "challenge_failed" and not session.active
    assert CheckFailure.objects.filter(learner=player.user).count() == 3
    signal = FraudSignal.objects.get(learner=player.user)
    assert signal.kind == "attention_check" and "连续答错" in signal.detail
    clock.tick(10)
    status, body = player.beat([[60, 70]])
    assert status == 409 and body["reason"] == "challenge_failed"
    explained = player.client.get(f"/api/player/sessions/{player.session}/explanation").json()
    assert len(explained["failed_checks"]) == 3 and "本次学习结束" in explained["ended"]


def test_a_new_session_neither_clears_nor_resets_the_check(checked, course, player, clock):
    state = LearnerPlayState.objects.get(learner=player.user)
    before = state.checks_passed
    body = player.start(lessons_of(course)[0])
    assert body["challenge"] is not None  # still pending, with a fresh code to show
    clock.tick(10)
    status, beat = player.beat([[60, 70]])
    assert beat["credited"] == 0 and beat["reasons"] == ["challenge_pending"]
    clock.tick(3)
    assert answer(player, beat["challenge"], code_of(player))[1] == {"passed": True}
    assert LearnerPlayState.objects.get(learner=player.user).checks_passed == before + 1


def test_an_expired_code_is_replaced_not_counted(checked, player, clock):
    clock.tick(61)
    status, result = answer(player, checked, code_of(player))
    assert status == 200 and result["passed"] is False and result["expired"] is True
    assert result["challenge"]["id"] != checked["id"]
    assert CheckFailure.objects.count() == 0


def test_full_width_digits_are_the_same_answer(checked, player):
    code = code_of(player)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)  # ２３４５ from an input method
    assert answer(player, checked, full_width) == (200, {"passed": True})


@pytest.mark.parametrize("given", ["验证码", "１２ ", "", "\u0000" * 4])
def test_any_text_is_an_answer_never_an_error(checked, player, given):
    status, result = answer(player, checked, given)
    assert status == 200 and result["passed"] is False
