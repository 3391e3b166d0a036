"""An upload kept between a dry run and its confirmation: given back only as the file that was
previewed, encrypted at rest, and gone after it is dropped or grows stale."""

import os

import pytest
from django.conf import settings

from liulin.core import clock, stash
from liulin.core.errors import Conflict, Invalid

DATA = b"PK\x03\x04 a register with names"


def _files(kind):
    return list((settings.MEDIA_ROOT / "stash" / kind).glob("*.bin"))


def test_kept_bytes_come_back_only_under_their_digest():
    kept = stash.keep("test-kind", DATA)
    assert kept.sha256 == stash.digest(DATA)
    assert stash.load("test-kind", kept.token, sha256=kept.sha256) == DATA
    with pytest.raises(Conflict) as changed:
        stash.load("test-kind", kept.token, sha256=stash.digest(b"another file"))
    assert changed.value.code == "upload_changed"


def test_the_file_at_rest_is_encrypted_and_an_altered_one_is_refused():
    kept = stash.keep("test-kind", DATA)
    (path,) = _files("test-kind")
    assert b"register with names" not in path.read_bytes()
    other = stash.keep("test-kind", b"PK\x03\x04 another register")
    path.write_text(next(p for p in _files("test-kind") if p != path).read_text())  # swap the contents in place
    with pytest.raises(Conflict):
        stash.load("test-kind", kept.token, sha256=kept.sha256)
    path.write_text("not even a token")
    with pytest.raises(Invalid) as garbled:
        stash.load("test-kind", kept.token, sha256=kept.sha256)
    assert garbled.value.code == "upload_expired"
    assert stash.load("test-kind", other.token, sha256=other.sha256).endswith(b"another register")


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "a" * 19, "x" * 65, None, "abc/def" * 4])
def test_a_malformed_token_is_expired_not_a_path(token):
    with pytest.raises(Invalid) as caught:
        stash.load("test-kind", token, sha256="0" * 64)
    assert caught.value.code == "upload_expired"
    stash.drop("test-kind", token)  # quietly nothing


def test_dropped_and_stale_uploads_are_gone():
    kept = stash.keep("test-kind", DATA)
    stash.drop("test-kind", kept.token)
    with pytest.raises(Invalid):
        stash.load("test-kind", kept.token, sha256=kept.sha256)
    old = stash.keep("test-kind", DATA)
    (path,) = _files("test-kind")
    hours_ago = clock.now().timestamp() - (stash.KEEP_HOURS * 3600 + 60)
    os.utime(path, (hours_ago, hours_ago))
    stash.keep("test-kind", DATA)
    with pytest.raises(Invalid):
        stash.load("test-kind", old.token, sha256=old.sha256)
    assert len(_files("test-kind")) == 1


def test_a_kind_is_a_plain_folder_name():
    with pytest.raises(ValueError):
        stash.keep("../people", DATA)
