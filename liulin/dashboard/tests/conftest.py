from liulin.demo.tests.fixtures import demo  # noqa: F401
