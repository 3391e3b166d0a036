"""The five 五联 dimensions arrive by data migration, once, and a community's renaming survives a re-run."""

import pytest

from liulin.core.testing.migrations import back_to_now, migrate  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_five_link_kinds_are_added_once_and_edits_are_kept(back_to_now):  # noqa: F811
    apps = migrate([("partybuilding", "0001_initial")])
    apps.get_model("partybuilding", "LinkKind").objects.all().delete()  # the reverse keeps rows: start empty
    apps = migrate([("partybuilding", "0002_five_link_kinds")])
    LinkKind = apps.get_model("partybuilding", "LinkKind")
    assert list(LinkKind.objects.order_by("order").values_list("name", flat=True)) == [
        "组织联建", "活动联办", "人才联育", "资源联用", "难题联解"]
    LinkKind.objects.filter(code="talent").update(name="人才联育（青年）")
    migrate([("partybuilding", "0001_initial")])
    apps = migrate([("partybuilding", "0002_five_link_kinds")])
    LinkKind = apps.get_model("partybuilding", "LinkKind")
    assert LinkKind.objects.count() == 5 and LinkKind.objects.get(code="talent").name == "人才联育（青年）"
