"""GET /api/v1/billing/{year}: each institution's statement (JSON or CSV)."""

import csv
import io
from dataclasses import asdict
from typing import Any

from cii_platform.contracts.codes import BUREAU, Role
from cii_platform.security.tokens import Principal

from ..domain.costs import Statement, annual_statements
from .context import ServiceContext

BUREAU_READERS = (Role.CANTONAL_OFFICER, Role.SECRETARIAT, Role.COORDINATOR)


async def statements_for(ctx: ServiceContext, year: int, principal: Principal) -> list[Statement]:
    """The bureau sees every statement; a partner only its own."""
    settings = ctx.settings
    statements = annual_statements(
        year, await ctx.measures.with_variable_costs(), structural_total=settings.structural_costs(year),
        partners=sorted(ctx.reference.contracting_parties), key=settings.structural_cost_key or None)
    if principal.institution == BUREAU and principal.has_role(*BUREAU_READERS):
        return statements
    own = {principal.institution, ctx.reference.contracting_party_of(principal.institution)}
    return [s for s in statements if s.institution in own]  # its own and its contracting party's


def statement_view(statement: Statement) -> dict[str, Any]:
    return {"institution": statement.institution, "variable_costs": statement.variable_costs,
            "structural_costs": statement.structural_costs, "total": statement.total,
            "variable_items": [{**asdict(item), "incurred_on": item.incurred_on.isoformat()}
                               for item in statement.variable_items]}


def billing_view(year: int, statements: list[Statement]) -> dict[str, Any]:
    return {"year": year, "currency": "CHF", "statements": [statement_view(s) for s in statements],
            "total": round(sum(s.total for s in statements), 2)}


def billing_csv(statements: list[Statement]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["institution", "variable_costs", "structural_costs", "total", "variable_items"])
    for s in statements:
        writer.writerow([s.institution, f"{s.variable_costs:.2f}", f"{s.structural_costs:.2f}", f"{s.total:.2f}",
                         len(s.variable_items)])
    return buffer.getvalue()
