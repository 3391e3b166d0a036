"""A task for the worker tests: it notes each start in a file, and its first run holds on
long enough to be killed."""

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def hold(marker):
    path = Path(marker)
    with path.open("a") as notes:
        notes.write(f"start {os.getpid()}\n")
    if len(path.read_text().splitlines()) == 1:
        time.sleep(120)
    return "done"
