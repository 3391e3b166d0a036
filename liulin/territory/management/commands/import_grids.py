"""Import grid polygons from a GeoJSON FeatureCollection, all or nothing.

    manage.py import_grids grids.geojson --community 430112001001 [--dry-run]

Each feature needs properties `code` and `name` and a Polygon or MultiPolygon geometry.
Every feature is checked before anything is written: a broken polygon, a duplicate code, or
an overlap with another feature of the file or with an existing grid is reported with the
feature's index, code and name, and the database is left untouched.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from shapely import STRtree

from liulin.core.errors import DomainError
from liulin.territory import geo, services
from liulin.territory.models import Area, Grid


class Command(BaseCommand):
    help = "从 GeoJSON FeatureCollection 导入网格边界（全部成功才写入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON 文件，FeatureCollection，属性含 code 与 name")
        parser.add_argument("--community", required=True, help="所属社区代码")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args, file, community, dry_run, **options):
        area = Area.objects.filter(code=community, kind=Area.Kind.COMMUNITY).first()
        if area is None:
            raise CommandError(f"找不到代码为 {community} 的社区。")
        features = self._read(file)
        problems, checked = check_features(features)
        if problems:
            raise CommandError("未导入任何网格：\n" + "\n".join(problems))
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"检查通过：{len(checked)} 个网格可以导入（试运行，未写入）。"))
            return
        try:
            with transaction.atomic():
                for code, name, boundary in checked:
                    services.create_grid(actor=None, community=area, code=code, name=name, boundary=boundary)
        except DomainError as e:
            raise CommandError(f"未导入任何网格：{e.detail}") from None
        self.stdout.write(self.style.SUCCESS(f"已导入 {len(checked)} 个网格到{area.name}。"))

    def _read(self, file):
        try:
            with open(file, encoding="utf-8") as fh:
                data = json.load(fh)
        except OSError as e:
            raise CommandError(f"无法读取文件 {file}：{e.strerror}") from None
        except json.JSONDecodeError as e:
            raise CommandError(f"{file} 不是有效的 JSON（第 {e.lineno} 行）：{e.msg}") from None
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
            raise CommandError("文件应为 GeoJSON FeatureCollection。")
        if not data["features"]:
            raise CommandError("文件中没有任何要素（feature）。")
        return data["features"]


def _label(index, code, name):
    return f"第 {index} 个要素（编号 {code or '?'}，名称 {name or '?'}）"


def check_features(features):
    """Validate every feature against the rules and against each other; return (problems,
    [(code, name, geometry), ...]). Indexes count from 1, as a person reading the file would."""
    problems, parsed, seen_codes = [], [], {}
    existing_codes = set(Grid.objects.values_list("code", flat=True))
    for index, feature in enumerate(features, start=1):
        props = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        code, name = str(props.get("code") or "").strip(), str(props.get("name") or "").strip()
        label = _label(index, code, name)
        if not code or not name:
            problems.append(f"{label}：缺少属性 code 或 name。")
            continue
        if code in seen_codes:
            problems.append(f"{label}：编号与第 {seen_codes[code]} 个要素重复。")
            continue
        seen_codes[code] = index
        if code in existing_codes:
            problems.append(f"{label}：编号 {code} 的网格已存在。")
            continue
        try:
            geometry = geo.parse_boundary(feature.get("geometry"))
        except DomainError as e:
            problems.append(f"{label}：{e.detail}")
            continue
        parsed.append((index, code, name, feature["geometry"], geometry))
    problems += _overlaps_within_file(parsed) + _overlaps_with_existing(parsed)
    return problems, [(code, name, boundary) for _, code, name, boundary, _ in parsed]


def _overlaps_within_file(parsed):
    """Pairs of features of the file that overlap; an STRtree keeps a city-sized file fast."""
    tree = STRtree([geometry for *_, geometry in parsed])
    problems = []
    for i, (index_a, code_a, name_a, _, geom_a) in enumerate(parsed):
        for j in sorted(int(j) for j in tree.query(geom_a) if j > i):
            index_b, code_b, name_b, _, geom_b = parsed[j]
            if geo.overlaps(geom_a, geom_b):
                problems.append(
                    f"{_label(index_a, code_a, name_a)} 与 {_label(index_b, code_b, name_b)} 重叠。相邻网格只能共用边界。"
                )
    return problems


def _overlaps_with_existing(parsed):
    index = geo.grid_index()
    problems = []
    for feature_index, code, name, _, geometry in parsed:
        hits = index.overlapping(geometry)
        if hits:
            names = "、".join(f"{g.code} {g.name}" for g in Grid.objects.filter(pk__in=hits).order_by("code"))
            problems.append(f"{_label(feature_index, code, name)} 与已有网格重叠：{names}。")
    return problems
