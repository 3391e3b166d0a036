from io import StringIO

from django.core.management import call_command


def test_demo_logins_before_seeding_says_what_to_do(db):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()
    assert "19900000001" not in out.getvalue()
