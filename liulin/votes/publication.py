"""The published record of a vote and its check, so anyone can re-add a result.

`export(vote)` is the downloadable file: the vote's figures and every link of its hash
chain, each with exactly the content its hash covers. `verify_document(doc)` needs nothing but
that file (no database, no account): it recomputes every hash and link, replays the ballots
(the last cast of each unit counts), re-adds area and heads by choice, and compares them with
the count the chain recorded and the figures published. `manage.py verify_vote` runs it.
"""

import hashlib
import json

from .models import VoteEvent
from .rules import Matter, decide
from .tally import recount

GENESIS = "0" * 64
FORMAT = "liulin-vote/1"


def export(vote):
    events = []
    for event in VoteEvent.objects.filter(vote=vote).order_by("seq").iterator(chunk_size=1000):
        events.append({**event.hash_content(), "hash": event.hash})
    return {
        "format": FORMAT,
        "vote": {
            "id": vote.pk, "estate": vote.estate.name, "title": vote.title, "matter": vote.matter, "state": vote.state,
            "total_area_cm2": vote.total_area_cm2, "total_owners": vote.total_owners,
            "voted_area_cm2": vote.voted_area_cm2, "voted_owners": vote.voted_owners,
            "yes_area_cm2": vote.yes_area_cm2, "yes_owners": vote.yes_owners,
            "no_area_cm2": vote.no_area_cm2, "no_owners": vote.no_owners, "passed": vote.passed,
        },
        "events": events,
    }


def _digest(content):
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def verify_document(doc):
    """(problems, recounted tally or None). No problems means the chain is intact and the
    published figures are the sum of the published ballots."""
    problems = []
    if doc.get("format") != FORMAT:
        return [f"unknown format {doc.get('format')!r}"], None
    vote = doc["vote"]
    prev, units, counted = GENESIS, {}, None
    for expected_seq, event in enumerate(doc["events"], start=1):
        content = {key: value for key, value in event.items() if key != "hash"}
        if content.get("seq") != expected_seq:
            problems.append(f"seq {expected_seq}: found {content.get('seq')}")
            break
        if content.get("prev_hash") != prev:
            problems.append(f"seq {expected_seq}: link to the previous event broken")
            break
        if _digest(content) != event.get("hash"):
            problems.append(f"seq {expected_seq}: content does not match its hash")
            break
        if content.get("vote_id") != vote["id"]:
            problems.append(f"seq {expected_seq}: event of another vote")
            break
        prev = event["hash"]
        data = content.get("data") or {}
        if content["action"] in ("cast", "replace_ballot"):
            for label, area in data["units"]:
                units[label] = (data["owner"], area, data["choice"])
        elif content["action"] == "count":
            counted = data
    figures = recount(units.values(), total_area=vote["total_area_cm2"], total_owners=vote["total_owners"])
    if problems:
        return problems, None
    mine = {"voted_area_cm2": figures.voted_area, "voted_owners": figures.voted_owners, "yes_area_cm2": figures.yes_area,
            "yes_owners": figures.yes_owners, "no_area_cm2": figures.no_area, "no_owners": figures.no_owners}
    for key, value in mine.items():
        if counted is not None and counted.get(key) != value:
            problems.append(f"the chain's count says {key}={counted.get(key)}, the ballots add up to {value}")
        if vote.get(key) is not None and counted is not None and vote[key] != value:
            problems.append(f"the published {key}={vote[key]}, the ballots add up to {value}")
    if counted is not None:
        passed = decide(Matter(vote["matter"]), figures).passed
        if counted.get("passed") != passed:
            problems.append(f"the chain's count says passed={counted.get('passed')}, the rules give {passed}")
    return problems, figures
