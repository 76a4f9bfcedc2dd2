"""The admin's login is throttled per username and address (django-axes)."""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def test_repeated_failed_logins_lock_the_pair_out_even_with_the_right_password(settings):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user("target", password="right-password", is_staff=True)
    client = Client()
    statuses = [client.post(LOGIN, {"username": "target", "password": "guess"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # the form again, then locked out at the limit
    locked = client.post(LOGIN, {"username": "target", "password": "right-password"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session

    # Another address is not locked out by this one's guesses.
    elsewhere = Client(REMOTE_ADDR="10.0.0.2")
    assert elsewhere.post(LOGIN, {"username": "target", "password": "right-password"}).status_code == 302


def test_a_success_resets_the_count(settings):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user("target", password="right-password", is_staff=True)
    client = Client()
    for _ in range(2):
        client.post(LOGIN, {"username": "target", "password": "guess"})
    assert client.post(LOGIN, {"username": "target", "password": "right-password"}).status_code == 302
    client.logout()
    for _ in range(2):
        client.post(LOGIN, {"username": "target", "password": "guess"})
    assert client.post(LOGIN, {"username": "target", "password": "right-password"}).status_code == 302
