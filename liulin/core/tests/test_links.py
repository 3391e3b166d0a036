"""core.links: a row's path is the one reverse() gives, under any script prefix."""

import pytest
from django.urls import reverse, set_script_prefix

from liulin.core.links import row_path


@pytest.mark.parametrize("viewname", ["whistle:ticket", "whistle:act", "whistle:urge"])
@pytest.mark.parametrize("pk", [1, 7, 42, 9_876_543_210_123, 10**15])
def test_a_row_path_is_what_reverse_gives(viewname, pk):
    assert row_path(viewname, pk) == reverse(viewname, args=[pk])


def test_a_row_path_follows_the_script_prefix_of_a_deployment_under_a_sub_path():
    try:
        set_script_prefix("/liulin/")
        assert row_path("whistle:ticket", 5) == "/liulin/whistle/t/5/" == reverse("whistle:ticket", args=[5])
    finally:
        set_script_prefix("/")
    assert row_path("whistle:ticket", 5) == "/whistle/t/5/"


def test_a_row_path_takes_numbers_only():
    with pytest.raises(ValueError):
        row_path("whistle:ticket", "5/../../admin")
