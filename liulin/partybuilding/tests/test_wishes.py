import pytest

from liulin.core import chain
from liulin.core.attachments.selectors import for_owner
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.workflow import IllegalTransition
from liulin.partybuilding import selectors, services
from liulin.partybuilding.models import Wish, WishClaim, WishEvent

from .factories import member, photo

pytestmark = pytest.mark.django_db
W = Wish.State


def test_the_whole_story_of_a_wish(world):
    wish = world.wish(state=W.COLLECTED)
    assert wish.state == W.COLLECTED and wish not in selectors.public_wishes(world.community)
    services.wish_step(actor=world.staff, wish=wish, action="wish_publish")
    assert list(selectors.public_wishes(world.community)) == [wish]
    services.claim_wish(actor=world.member, wish=wish)
    wish.refresh_from_db()
    assert (wish.state, wish.claimed) == (W.CLAIMED, 1)
    services.deliver_wish(actor=world.member, wish=wish, note="已修好", photos=[photo()])
    assert for_owner(wish, "proof").count() == 1
    services.confirm_wish(actor=world.beneficiary, wish=wish, story="张奶奶的轮椅修好了")
    wish.refresh_from_db()
    assert wish.state == W.FULFILLED and wish.fulfilled_at is not None
    assert [e.action for e in wish.events.order_by("seq")] == ["collect", "wish_publish", "wish_claim", "wish_deliver", "wish_confirm"]
    assert chain.verify(WishEvent, wish) is None
    assert Notification.objects.filter(user=world.member, kind="partybuilding.wish").exists()
    assert list(selectors.public_stories(world.community)) == [wish]


def test_public_list_carries_no_name(world, client):
    wish = world.wish()
    name = world.beneficiary.resident.name
    html = client.get(f"/partybuilding/c/{world.community.pk}/wishes/").content.decode()
    assert wish.title in html and "高龄老人" in html and name not in html


def test_joint_wish_stays_open_until_full(world):
    wish = world.wish(capacity=2)
    services.claim_wish(actor=world.member, wish=wish)
    wish.refresh_from_db()
    assert (wish.state, wish.claimed) == (W.PUBLISHED, 1)
    with pytest.raises(Conflict) as e:
        services.claim_wish(actor=world.member, wish=wish)
    assert e.value.code == "already_claimed"
    second, _ = member(world.grid, world.other_org)
    services.claim_wish(actor=second, wish=wish)
    wish.refresh_from_db()
    assert (wish.state, wish.claimed) == (W.CLAIMED, 2)
    third, _ = member(world.grid, world.org)
    with pytest.raises(Conflict) as e:
        services.claim_wish(actor=third, wish=wish)
    assert e.value.code == "wish_full"
    assert WishClaim.objects.filter(wish=wish).count() == 2


def test_only_confirmed_members_of_the_community_claim(world):
    wish = world.wish()
    pending, _ = member(world.grid, world.org, confirmed=False)
    for actor in (pending, world.beneficiary, world.staff):
        with pytest.raises(NotPermitted):
            services.claim_wish(actor=actor, wish=wish)
    unpublished = world.wish(state=W.COLLECTED)
    with pytest.raises(NotFound):
        services.claim_wish(actor=world.member, wish=unpublished)
    assert Wish.objects.get(pk=wish.pk).claimed == 0


def test_delivery_needs_a_claimer_and_a_photo(world):
    wish = world.wish()
    services.claim_wish(actor=world.member, wish=wish)
    other, _ = member(world.grid, world.org)
    with pytest.raises((NotPermitted, NotFound)):
        services.deliver_wish(actor=other, wish=wish, note="", photos=[photo()])
    with pytest.raises(Invalid) as e:
        services.deliver_wish(actor=world.member, wish=wish, note="", photos=[])
    assert e.value.code == "proof_required"
    assert Wish.objects.get(pk=wish.pk).state == W.CLAIMED


def test_claimer_cannot_confirm_his_own_delivery(world):
    wish = world.wish()
    services.claim_wish(actor=world.member, wish=wish)
    services.deliver_wish(actor=world.member, wish=wish, note="送到", photos=[photo()])
    with pytest.raises(NotPermitted) as e:
        services.confirm_wish(actor=world.member, wish=wish)
    assert e.value.code == "duties_separated"
    services.confirm_wish(actor=world.grid_worker, wish=wish)
    assert Wish.objects.get(pk=wish.pk).state == W.FULFILLED


def test_withdraw_refused_once_claimed(world):
    wish = world.wish(capacity=2)
    services.claim_wish(actor=world.member, wish=wish)
    with pytest.raises(Conflict):
        services.wish_step(actor=world.staff, wish=wish, action="wish_withdraw", reason="重复")
    with pytest.raises(IllegalTransition):
        services.wish_step(actor=world.staff, wish=wish, action="wish_publish")


def test_unclaimed_wishes_are_raised_once(world):
    import datetime

    from liulin.core import clock

    wish = world.wish()
    later = clock.now() + datetime.timedelta(days=8)
    assert services.raise_unclaimed_wishes(now=clock.now()) == 0
    assert services.raise_unclaimed_wishes(now=later) == 1
    assert services.raise_unclaimed_wishes(now=later) == 0
    assert Notification.objects.filter(user=world.staff, kind="partybuilding.wish").count() == 1
    assert wish.events.filter(action="raise").count() == 1


def test_partner_contact_sees_wishes_of_his_partner_community_only(world):
    from liulin.accounts.tests.factories import make_user
    from liulin.core.roles import Role
    from liulin.orgs.tests.factories import OrganisationFactory

    wish = world.wish()
    assert wish in selectors.wishes_for(world.contact)
    stranger = make_user(Role.PARTNER_CONTACT, OrganisationFactory(community=world.community, kind="partner_unit"))
    assert wish not in selectors.wishes_for(stranger)
