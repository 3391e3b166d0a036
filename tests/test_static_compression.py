"""Static files travel compressed, in `make run` as in production: collected, compressed by
WhiteNoise (the steps of the Makefile's run target), and served gzipped to a browser that
asks for it."""

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
FILE = "vendor/htmx/htmx.min.js"


def run_recipe():
    makefile = (ROOT / "Makefile").read_text()
    return makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]


def test_make_run_collects_compresses_and_serves_the_collected_copy():
    recipe = run_recipe()
    assert "collectstatic --noinput" in recipe
    assert "-m whitenoise.compress" in recipe
    assert re.search(r"LIULIN_STATIC_COLLECTED=1 \S+ manage.py runserver --nostatic", recipe)


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.WHITENOISE_USE_FINDERS = False  # as LIULIN_STATIC_COLLECTED=1 sets it
    call_command("collectstatic", "--noinput", verbosity=0)
    subprocess.run([sys.executable, "-m", "whitenoise.compress", "--quiet", str(tmp_path)], check=True)
    return tmp_path


def body(response):
    return b"".join(response.streaming_content)


def test_a_static_file_is_served_gzipped_when_asked(collected):
    client = Client()  # a fresh handler: WhiteNoise reads STATIC_ROOT when it starts
    original = Path(finders.find(FILE)).read_bytes()

    asked = client.get(f"/static/{FILE}", headers={"Accept-Encoding": "gzip, deflate"})
    assert asked.status_code == 200
    assert asked["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in asked["Vary"]
    compressed = body(asked)
    assert len(compressed) < len(original) / 2
    assert gzip.decompress(compressed) == original

    plain = client.get(f"/static/{FILE}")
    assert "Content-Encoding" not in plain
    assert body(plain) == original
