import json

import pytest
from django.core.management import CommandError, call_command

from liulin.territory.models import Grid
from liulin.territory.tests.factories import GridFactory, square

pytestmark = pytest.mark.django_db


def feature(code, name, geometry):
    return {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}


@pytest.fixture
def write(tmp_path):
    def _write(*features):
        path = tmp_path / "grids.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False))
        return str(path)

    return _write


def test_imports_every_feature(write, community, capsys):
    path = write(feature("ZN01", "一网格", square(112.8, 28.3, 0.01)), feature("ZN02", "二网格", square(112.81, 28.3, 0.01)))
    call_command("import_grids", path, community=community.code)
    assert set(Grid.objects.filter(community=community).values_list("code", flat=True)) == {"ZN01", "ZN02"}
    assert "已导入 2 个网格" in capsys.readouterr().out


def test_dry_run_writes_nothing(write, community, capsys):
    call_command("import_grids", write(feature("ZN01", "一网格", square(112.8, 28.3))), community=community.code, dry_run=True)
    assert not Grid.objects.exists()
    assert "试运行" in capsys.readouterr().out


def test_overlap_between_two_features_names_both_and_writes_nothing(write, community):
    path = write(
        feature("ZN01", "一网格", square(112.8, 28.3, 0.01)),
        feature("ZN02", "二网格", square(112.9, 28.3, 0.01)),
        feature("ZN03", "三网格", square(112.805, 28.3, 0.01)),
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_grids", path, community=community.code)
    message = str(exc.value)
    assert "第 1 个要素（编号 ZN01，名称 一网格）" in message
    assert "第 3 个要素（编号 ZN03，名称 三网格）" in message
    assert "ZN02" not in message
    assert not Grid.objects.exists()


def test_overlap_with_existing_grid_is_named(write, community):
    GridFactory(code="OLD9", name="老九网格", boundary=square(112.8, 28.3, 0.01))
    path = write(feature("ZN01", "一网格", square(112.7, 28.3, 0.01)), feature("ZN02", "二网格", square(112.805, 28.305, 0.01)))
    with pytest.raises(CommandError) as exc:
        call_command("import_grids", path, community=community.code)
    assert "第 2 个要素（编号 ZN02，名称 二网格） 与已有网格重叠：OLD9 老九网格" in str(exc.value)
    assert list(Grid.objects.values_list("code", flat=True)) == ["OLD9"]


def test_invalid_bow_tie_is_named_and_nothing_written(write, community):
    bow_tie = {"type": "Polygon", "coordinates": [[[112.8, 28.3], [112.81, 28.31], [112.81, 28.3], [112.8, 28.31], [112.8, 28.3]]]}
    path = write(feature("ZN01", "一网格", square(112.7, 28.3)), feature("ZN02", "蝴蝶网格", bow_tie))
    with pytest.raises(CommandError) as exc:
        call_command("import_grids", path, community=community.code)
    assert "第 2 个要素（编号 ZN02，名称 蝴蝶网格）" in str(exc.value)
    assert "Self-intersection" in str(exc.value)
    assert not Grid.objects.exists()


def test_touching_features_import(write, community):
    path = write(feature("A", "甲", square(0, 0, 1)), feature("B", "乙", square(1, 0, 1)), feature("C", "丙", square(1, 1, 1)))
    call_command("import_grids", path, community=community.code)
    assert Grid.objects.count() == 3


def test_multipolygon_feature_imports(write, community):
    multi = {"type": "MultiPolygon", "coordinates": [square(0, 0, 1)["coordinates"], square(3, 0, 1)["coordinates"]]}
    call_command("import_grids", write(feature("M", "两块", multi)), community=community.code)
    assert Grid.objects.get(code="M").boundary["type"] == "MultiPolygon"


def test_missing_properties_and_duplicate_codes_reported(write, community):
    path = write(feature("", "无编号", square(0, 0)), feature("A", "甲", square(5, 5)), feature("A", "甲二", square(8, 8)))
    with pytest.raises(CommandError) as exc:
        call_command("import_grids", path, community=community.code)
    assert "第 1 个要素" in str(exc.value) and "第 3 个要素（编号 A，名称 甲二）：编号与第 2 个要素重复" in str(exc.value)
    assert not Grid.objects.exists()


def test_unknown_community_and_bad_file_are_clear_errors(tmp_path, write, community):
    with pytest.raises(CommandError, match="找不到代码为 NOPE 的社区"):
        call_command("import_grids", write(feature("A", "甲", square(0, 0))), community="NOPE")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        call_command("import_grids", str(bad), community=community.code)
    bad.write_text(json.dumps({"type": "Feature"}))
    with pytest.raises(CommandError, match="FeatureCollection"):
        call_command("import_grids", str(bad), community=community.code)
