"""Every form gets labels without a half-width colon and length messages that name the
field (core.forms, through settings.FORM_RENDERER); non-field errors show once."""

import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from liulin.core.forms import BoundField


class Sample(forms.Form):
    name = forms.CharField(label="称呼", max_length=3)
    note = forms.CharField(label="说明", min_length=2, required=False)
    code = forms.CharField(label="代码", required=False, label_suffix="：")

    def clean(self):
        raise forms.ValidationError("这条规则不成立。")


def test_every_form_gets_the_platform_bound_field():
    assert isinstance(Sample()["name"], BoundField)


def test_labels_end_without_a_half_width_colon():
    html = Sample().as_div()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html)
    assert labels and not any(label.rstrip().endswith(":") for label in labels), labels
    assert "称呼</label>" in html
    assert "代码：</label>" in html  # a field's own suffix is kept


def test_length_messages_name_the_field_in_plain_chinese():
    form = Sample({"name": "张三丰先生", "note": "好"})
    assert not form.is_valid()
    html = form.as_div()
    assert "“称呼”最多 3 个字，现在是 5 个字。" in html
    assert "“说明”至少要 2 个字，现在是 1 个字。" in html
    assert "该变量" not in html and "确保" not in html
    assert form.errors["name"].data[0].code == "max_length"  # the form's own errors keep their codes


def test_length_messages_in_english():
    with translation.override("en"):
        html = Sample({"name": "abcdef"}).as_div()
    assert "“称呼” takes at most 3 characters; it has 6." in html


def test_a_non_field_error_shows_once():
    html = Sample({"name": "张三"}).as_div()
    assert html.count("这条规则不成立。") == 1
    assert 'role="alert"' in html


@pytest.mark.django_db
def test_an_over_long_request_names_the_field_on_the_residents_page(client):
    from liulin.whistle.tests.intake_fixtures import make_town

    town = make_town()
    client.force_login(town.resident_user)
    response = client.post(
        reverse("whistle:file"),
        {"category": town.category("noise").pk, "description": "吵" * 4001, "where": "home", "client_request_id": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "“请描述情况”最多 4000 个字，现在是 4001 个字。" in html
    assert "该变量" not in html
    assert not re.search(r":\s*</label>", html)
