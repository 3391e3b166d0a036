"""Ninja names an OpenAPI component after its schema class alone, so two apps' schemas of the
same name share one component and the document describes one of them wrongly (a client, or
the fuzzer, then reads one app's answer against the other's shape). Every schema the API
serves has its own name."""

from collections import defaultdict

from ninja import Schema

from liulin.api import api  # noqa: F401  (mounts every router, importing every app's schemas)


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    by_name = defaultdict(set)
    for schema in subclasses(Schema):
        if schema.__module__.startswith("liulin."):
            by_name[schema.__name__].add(schema.__module__)
    shared = {name: sorted(modules) for name, modules in by_name.items() if len(modules) > 1}
    assert not shared, shared
