"""A create or regenerate whose answer, with the new secret, is lost after MySSL acted: the
CLI says the secret is lost, never suggests a blind retry, and offers to regenerate the key."""

from __future__ import annotations

import pytest

from myssl_desktop.api.client import MysslClient
from myssl_desktop.api.errors import InvalidApiKey
from tests.cli.helpers import Work, in_terminal, patched_argv, patched_cli

# MySSL carries out the first POST (create, regenerate), and its answer is lost on the way back.
LOSE_THE_FIRST_POST = ("from myssl_desktop.api import client, transport\n"
                       "from tests.support import LoseAnswers\n"
                       "client.shared_pool = transport.ConnectionPool(transport=LoseAnswers(('POST',), 1))\n")


def test_a_lost_create_says_the_secret_is_lost_and_how_to_get_one(work: Work) -> None:
    result = patched_cli(LOSE_THE_FIRST_POST, "keys", "create", "--name", "CI deploy")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [key] = [k for k in work.api.all_keys() if k.name == "CI deploy"]  # made once: no duplicate
    assert (f"MySSL created “CI deploy” (id {key.id}), but its answer, which held the new secret, could not be "
            "read: that secret is lost. The key must be regenerated") in result.stderr
    assert "try again" not in result.stderr.lower()
    assert f"Regenerate it with: myssl-keys keys regenerate {key.id} --yes" in result.stderr
    assert work.stored(key.id) is None

    again = work.run("keys", "regenerate", str(key.id), "--yes")  # the command it gave
    assert again.returncode == 0, again.stderr
    secret = work.stored(key.id)
    assert secret is not None and MysslClient(work.sandbox.base_url, secret).current().api_key.id == key.id


def test_a_lost_regenerate_says_the_old_secret_is_dead_too(work: Work) -> None:
    key, old = work.make("Billing")
    result = patched_cli(LOSE_THE_FIRST_POST, "keys", "regenerate", "Billing", "--yes")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (f"MySSL regenerated “Billing” (id {key.id}), but its answer, which held the new secret, could not be "
            "read: that secret is lost, and the old one no longer works.") in result.stderr
    assert f"myssl-keys keys regenerate {key.id} --yes" in result.stderr
    with pytest.raises(InvalidApiKey):
        MysslClient(work.sandbox.base_url, old).current()


def test_in_a_terminal_the_lost_secret_is_replaced_when_the_user_agrees(work: Work) -> None:
    code, screen = in_terminal(patched_argv(LOSE_THE_FIRST_POST, "keys", "create", "--name", "Typed"),
                               "[y/N] ", "y")
    assert code == 0, screen
    [key] = [k for k in work.api.all_keys() if k.name == "Typed"]
    assert "that secret is lost" in screen and f"Regenerated key “Typed” (id {key.id}" in screen
    secret = work.stored(key.id)
    assert secret is not None and MysslClient(work.sandbox.base_url, secret).current().api_key.id == key.id
    assert secret not in screen
