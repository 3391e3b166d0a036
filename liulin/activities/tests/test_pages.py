"""The pages: list, detail and enrol, my enrolments with the QR code and the person's steps,
the organiser's check-in and roll-call, teams; bad input is a form error."""

import pytest
from django.test import Client

from liulin.activities import services
from liulin.activities.models import Attendance, Enrolment, FamilyLink
from liulin.orgs.models import Membership, Organisation

from .factories import Town

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_daughter_enrols_her_mother_and_sees_the_code():
    town = Town()
    klass = town.klass(course="智能手机", capacity=2)
    mother, daughter = town.resident(age=80, name="李桂英"), town.resident(age=52, name="王丽")
    FamilyLink.objects.create(resident=mother, relative=daughter, kind="family", verified_by=town.staff)
    c = client_for(daughter.user)
    assert "智能手机班" in c.get("/activities/").content.decode()
    page = c.get(f"/activities/{klass.pk}/").content.decode()
    assert "李桂英" in page and 'data-testid="enrol-form"' in page
    r = c.post(f"/activities/{klass.pk}/enrol/", {"resident": mother.pk})
    assert r.status_code == 302
    mine = c.get("/activities/mine/").content.decode()
    assert "李桂英" in mine and "<svg" in mine and "家属代报" in mine


def test_enrol_form_shows_a_broken_rule_and_changes_nothing():
    town = Town()
    klass = town.klass()
    young = town.resident(age=40)
    r = client_for(young.user).post(f"/activities/{klass.pk}/enrol/", {"resident": young.pk})
    assert r.status_code == 400 and "报名年龄须满" in r.content.decode()
    assert not Enrolment.objects.exists()
    r = client_for(young.user).post(f"/activities/{klass.pk}/enrol/", {"resident": 999999})
    assert r.status_code == 400


def test_waiting_position_and_leaving_the_list():
    town = Town()
    event = town.event(capacity=1)
    a, b = town.resident(), town.resident()
    services.enrol(actor=a.user, activity=event, resident=a)
    waiting = services.enrol(actor=b.user, activity=event, resident=b)
    c = client_for(b.user)
    assert "候补第 1 位" in c.get("/activities/mine/").content.decode()
    c.post(f"/activities/enrolments/{waiting.pk}/cancel/")
    assert Enrolment.objects.get(pk=waiting.pk).state == "cancelled"


def test_counter_enrolment_by_id_card():
    town = Town()
    event = town.event()
    import datetime

    from liulin.core import clock
    from liulin.people.tests.factories import make_id_number

    number = make_id_number(datetime.date(clock.today().year - 75, 1, 1), seq=3, region="439903")
    elder = town.resident(age=75, with_user=False, id_number=number)
    c = client_for(town.staff)
    r = c.post(f"/activities/{event.pk}/counter/", {"id_number": number})
    assert r.status_code == 302
    assert Enrolment.objects.get(resident=elder).channel == "counter"
    r = c.post(f"/activities/{event.pk}/counter/", {"id_number": "123"})
    assert r.status_code == 400


def test_check_in_page_code_repeat_and_roll_call():
    town = Town()
    event = town.event()
    a, b = town.resident(name="张三"), town.resident(name="李四")
    ea = services.enrol(actor=a.user, activity=event, resident=a)
    eb = services.enrol(actor=b.user, activity=event, resident=b)
    c = client_for(town.staff)
    page = c.post(f"/activities/{event.pk}/check-in/", {"code": services.checkin_code(ea)}).content.decode()
    assert "张三 签到成功" in page
    page = c.post(f"/activities/{event.pk}/check-in/", {"code": services.checkin_code(ea)}).content.decode()
    assert "张三 已签到过" in page and town.staff.name in page
    c.post(f"/activities/{event.pk}/check-in/", {"enrolment": eb.pk})
    assert Attendance.objects.count() == 2
    assert c.post(f"/activities/{event.pk}/check-in/", {"code": "bogus"}).status_code == 400
    assert client_for(a.user).get(f"/activities/{event.pk}/check-in/").status_code in (403, 404)


def test_teams_page_counts_from_the_roll():
    town = Town()
    team = Organisation.objects.create(name="银燕腰鼓队", kind="culture_team", community=town.community)
    for n in range(3):
        Membership.objects.create(org=team, name=f"队员{n}", is_party_member=n == 0)
    page = client_for(town.resident().user).get("/activities/teams/").content.decode()
    assert "银燕腰鼓队" in page and "队员 3 人 · 党员 1 人" in page and "队员0" not in page


def _queries_for(client, url, django_assert_max_num_queries, n):
    with django_assert_max_num_queries(n) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_read_a_fixed_number_of_queries(django_assert_max_num_queries):
    town = Town()
    person = town.resident()
    c = client_for(person.user)
    counts = []
    for more in (2, 10):
        for n in range(more):
            event = town.event(title=f"活动{len(counts)}-{n}", capacity=1)
            services.enrol(actor=person.user, activity=event, resident=person)
            other = town.resident()
            services.enrol(actor=other.user, activity=event, resident=other)  # waiting behind him
        counts.append((
            _queries_for(c, "/activities/", django_assert_max_num_queries, 30),
            _queries_for(c, "/activities/mine/", django_assert_max_num_queries, 30),
            _queries_for(client_for(town.staff), "/activities/teams/", django_assert_max_num_queries, 30),
        ))
    assert counts[0] == counts[1]  # twelve activities cost what two did


def test_selection_page_vote_and_result():
    from liulin.activities import selection as sel
    from liulin.activities.models import Ballot

    town = Town()
    selection = sel.create_selection(actor=town.staff, community=town.community, title="2025年好家风评比", choices_per_ballot=2)
    family = town.resident()
    c = client_for(family.user)
    r = c.post(f"/activities/selections/{selection.pk}/nominate/", {"family_name": "钱家", "story": "勤俭持家，三代和睦，热心公益。"})
    assert r.status_code == 302
    staff = client_for(town.staff)
    staff.post(f"/activities/selections/{selection.pk}/do/start_review/")
    nomination = selection.nominations.get()
    sel.review(actor=town.staff, nomination=nomination, accept=True)
    staff.post(f"/activities/selections/{selection.pk}/do/start_voting/")
    page = c.get(f"/activities/selections/{selection.pk}/").content.decode()
    assert "钱家" in page and 'data-testid="vote-form"' in page
    assert c.post(f"/activities/selections/{selection.pk}/vote/", {"nominations": [nomination.pk]}).status_code == 302
    again = c.post(f"/activities/selections/{selection.pk}/vote/", {"nominations": [nomination.pk]})
    assert again.status_code == 400 and "今天已经投过票" in again.content.decode()
    assert Ballot.objects.count() == 1
    staff.post(f"/activities/selections/{selection.pk}/do/start_publicity/")
    page = c.get(f"/activities/selections/{selection.pk}/").content.decode()
    selection.refresh_from_db()
    assert "公示名单" in page and f'href="/notices/{selection.notice_id}/"' in page


def test_staff_create_a_class_by_the_form_and_bad_input_is_a_form_error():
    import datetime as dt

    from liulin.activities.models import Activity, Course

    town = Town()
    term = town.term()
    course = Course.objects.create(community=town.community, name="书法")
    c = client_for(town.staff)
    assert c.get("/activities/new/").status_code == 200
    start = dt.datetime.combine(term.starts_on, dt.time(9))
    form = {"kind": "class", "title": "书法班", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"), "capacity": 30, "reserved": 2,
            "course": course.pk, "term": term.pk, "weekday": 2, "slot_starts": "09:00", "slot_ends": "10:30"}
    r = c.post("/activities/new/", form)
    assert r.status_code == 302
    klass = Activity.objects.get(title="书法班")
    assert (klass.state, klass.capacity, klass.reserved, klass.slots.count()) == ("draft", 30, 2, 1)
    r = c.post("/activities/new/", {**form, "title": "缺课程", "course": ""})
    assert r.status_code == 400 and not Activity.objects.filter(title="缺课程").exists()
    r = c.post("/activities/new/", {**form, "title": "名额错", "reserved": 40})
    assert r.status_code == 400
    assert client_for(town.resident().user).get("/activities/new/").status_code == 403


def test_staff_register_a_guardian_by_both_id_numbers():
    import datetime as dt

    from liulin.core import clock
    from liulin.people.tests.factories import make_id_number

    town = Town()
    child_id = make_id_number(dt.date(clock.today().year - 9, 1, 1), seq=11, region="439904")
    parent_id = make_id_number(dt.date(clock.today().year - 38, 1, 1), seq=12, region="439904")
    child = town.resident(age=9, with_user=False, id_number=child_id)
    parent = town.resident(age=38, id_number=parent_id)
    c = client_for(town.staff)
    r = c.post("/activities/family-links/new/", {"resident_id_number": child_id, "relative_id_number": parent_id, "kind": "guardian"})
    assert r.status_code == 302
    assert FamilyLink.objects.filter(resident=child, relative=parent, kind="guardian").exists()
    r = c.post("/activities/family-links/new/", {"resident_id_number": child_id, "relative_id_number": parent_id, "kind": "guardian"})
    assert r.status_code == 400  # already registered
    assert client_for(parent.user).get("/activities/family-links/new/").status_code == 403
