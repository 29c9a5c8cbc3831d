"""The Keycloak adapter of the PeopleDirectory against the real realm `cii`: who holds a function is read as the
tokens carry it (groups' institution/region/theme, the cii-platform client roles, the user's locale)."""

import pytest

from cii_platform.testing.keycloak import DEMO_SECRET, REALM, Keycloak
from cii_platform.testing.platform import LocalPlatform
from notifier.adapters.directory import KeycloakDirectory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def directory(keycloak: Keycloak, secret: str = DEMO_SECRET) -> KeycloakDirectory:
    return KeycloakDirectory(base_url=keycloak.base_url, realm=REALM, client_id="cii-notifier",
                             client_secret=secret, ttl=0)


async def test_the_realm_tells_who_holds_each_function(notifier_platform: LocalPlatform, keycloak: Keycloak) -> None:
    people = directory(keycloak)
    try:
        assert [p.username for p in await people.coordinators("SION", None)] == ["coord.sion"]
        monthey_or_young = await people.coordinators("MONTHEY", "YOUNG")
        assert sorted(p.username for p in monthey_or_young) == ["coord.monthey", "coord.young"]
        assert [p.username for p in await people.respondents("CMS")] == ["respondent.cms"]
        assert [p.username for p in await people.respondents("ORP")] == ["worker.orp"]  # no respondent: its people
        assert sorted(p.username for p in await people.bureau()) == ["officer", "secretariat"]
        cms = await people.person("respondent.cms")
        assert cms is not None and cms.email == "respondent.cms@cii.local" and cms.language == "fr"
        assert await people.person(cms.subject or "") == cms  # the token's `sub` finds the same person
        # the user's language in Keycloak (the account's locale) is the e-mails' language
        user = keycloak.admin("GET", f"/realms/{REALM}/users?username=respondent.cms&exact=true").json()[0]
        keycloak.admin("PUT", f"/realms/{REALM}/users/{user['id']}",
                       {**user, "attributes": {**(user.get("attributes") or {}), "locale": ["de"]}})
        try:
            german = await people.person("respondent.cms")
            assert german is not None and german.language == "de"
        finally:
            keycloak.admin("PUT", f"/realms/{REALM}/users/{user['id']}",
                           {**user, "attributes": {**(user.get("attributes") or {}), "locale": ["fr"]}})
    finally:
        await people.close()


async def test_a_wrong_secret_is_refused(notifier_platform: LocalPlatform, keycloak: Keycloak) -> None:
    people = directory(keycloak, secret="not-the-secret")
    try:
        with pytest.raises(Exception, match="401"):
            await people.roster()
    finally:
        await people.close()
