"""A public lottery anyone can re-run: the mechanism shared by every app that draws lots.

1. The list of applicants is fixed and hashed: SHA-256 over the lines "id:person:group",
   in id order (`applicants_hash`). The hash is published before the draw.
2. A value nobody controls is published after the list is fixed (a named lottery draw's
   numbers, an index's closing figure) and entered by staff.
3. The seed is SHA-256("<public value>|<applicants hash>") (`seed_of`): neither the organiser
   (who cannot choose the public value) nor an applicant (who cannot know it when the list
   is fixed) can steer it.
4. Each applicant's lot is SHA-256("<seed>:<id>"); applicants are ranked by (group, lot)
   (`ranking`): a deterministic shuffle inside each priority group, lower groups first.

`ALGORITHM` names this procedure; a result stores it so a later change of method never
silently re-reads an old draw. `verify(...)` recomputes a stored draw from its inputs.
"""

import hashlib

ALGORITHM = "liulin-lottery-v1: seed=sha256(public|listhash); rank by (group, sha256(seed:id))"


def applicants_hash(rows):
    """rows: (id, person id, group)."""
    lines = "\n".join(f"{pk}:{person}:{group}" for pk, person, group in sorted(rows))
    return hashlib.sha256(lines.encode()).hexdigest()


def seed_of(public_value, list_hash):
    return hashlib.sha256(f"{public_value}|{list_hash}".encode()).hexdigest()


def lot(seed, pk):
    return hashlib.sha256(f"{seed}:{pk}".encode()).hexdigest()


def ranking(seed, rows):
    """The ids of `rows` in lottery order."""
    return [pk for pk, _person, _group in sorted(rows, key=lambda r: (r[2], lot(seed, r[0])))]


def verify(rows, *, public_value, published_hash, published_seed, published_order):
    """(holds, expected order): the draw recomputed from `rows` and the public value, compared
    with the published hash, seed and order."""
    list_hash = applicants_hash(rows)
    seed = seed_of(public_value, list_hash)
    expected = ranking(seed, rows)
    holds = list_hash == published_hash and seed == published_seed and expected == list(published_order)
    return holds, expected
