"""Matching hits to the account's keys by prefix."""

from __future__ import annotations

from pathlib import Path

from myssl_desktop.scan import Hit, match_keys


def _hit(prefix: str, path: str = "a.env") -> Hit:
    return Hit(prefix=prefix, sha256="0" * 64, path=Path(path), line=1)


def test_hits_go_to_the_key_of_their_prefix_and_the_rest_are_unknown() -> None:
    alpha, alpha_again, beta, stranger = (_hit("myssl_k_aaaa"), _hit("myssl_k_aaaa", "b.env"),
                                          _hit("myssl_k_bbbb"), _hit("myssl_k_zzzz"))
    matches = match_keys([alpha, beta, stranger, alpha_again],
                         [(1, "myssl_k_aaaa"), (2, "myssl_k_bbbb"), (3, "myssl_k_cccc")])
    assert matches.by_key == {1: (alpha, alpha_again), 2: (beta,)}
    assert matches.unknown == (stranger,)


def test_a_prefix_two_keys_share_lists_the_hit_under_both() -> None:
    hit = _hit("myssl_k_aaaa")
    matches = match_keys([hit], [("old", "myssl_k_aaaa"), ("new", "myssl_k_aaaa")])
    assert matches.by_key == {"old": (hit,), "new": (hit,)} and matches.unknown == ()


def test_no_keys_leaves_every_hit_unknown() -> None:
    hits = [_hit("myssl_k_aaaa")]
    assert match_keys(hits, []).unknown == tuple(hits)
