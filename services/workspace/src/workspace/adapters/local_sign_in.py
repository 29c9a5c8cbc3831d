"""Local mode: the demo users of docs/contract.md section 9, signed in with tokens minted from the local
key (the same tokens `cii token` prints). It stands in for the identity provider's login (issue 15)
behind the `SignIn` port, and is off whenever WORKSPACE_LOCAL_SIGN_IN is false (the deployments)."""

from dataclasses import dataclass

from cii_platform.security.tokens import TokenMinter

from ..domain.person import Person


@dataclass(frozen=True)
class DemoUser:
    institution: str
    roles: tuple[str, ...]
    region: str | None = None
    theme: str | None = None


DEMO_USERS: dict[str, DemoUser] = {
    "worker.orp": DemoUser("ORP", ("field_worker",)),
    "worker.cms": DemoUser("CMS", ("field_worker",)),
    "respondent.cms": DemoUser("CMS", ("respondent", "case_manager")),
    "coord.sion": DemoUser("BUREAU", ("coordinator",), region="SION"),
    "coord.young": DemoUser("BUREAU", ("coordinator",), theme="YOUNG"),
    "secretariat": DemoUser("BUREAU", ("secretariat",)),
    "officer": DemoUser("BUREAU", ("cantonal_officer",)),
    "dpo": DemoUser("BUREAU", ("dpo",)),
}


class UnknownUser(Exception):
    pass


class LocalSignIn:
    def __init__(self, minter: TokenMinter, ttl_seconds: int) -> None:
        self._minter = minter
        self._ttl = ttl_seconds

    def demo_users(self) -> list[str]:
        return list(DEMO_USERS)

    def sign_in(self, username: str) -> Person:
        user = DEMO_USERS.get(username)
        if user is None:
            raise UnknownUser(username)
        token = self._minter.mint(institution=user.institution, roles=list(user.roles), subject=username,
                                  region=user.region, theme=user.theme, ttl_seconds=self._ttl)
        return Person(subject=username, display_name=username, institution=user.institution,
                      roles=frozenset(user.roles), access_token=token, region=user.region, theme=user.theme)
