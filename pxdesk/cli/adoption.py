"""`pxdesk-cli adoption`: adoption figures of all companies or one, as of a day."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from pxdesk.cli.output import EXIT_OK, print_error, print_json, print_rows, print_table
from pxdesk.core.adoption import figures as adoption
from pxdesk.core.adoption.figures import CompanyRow, Figures, Overview
from pxdesk.core.context import AppContext

COMPANY_HEADER = ("Company", "GSID", "Users", "Active 1 day", "Active 7 days",
                  "Active 30 days", "Stickiness (DAU/MAU)", "Visits", "Never seen",
                  "Previous active 30 days", "Trend", "Trend from")
NO_DATA = ("No adoption data yet: run Company Person Sync (pxdesk-cli run "
           "'Company Person Sync_PX'); it keeps every user's activity whatever it maps.")
NO_LAST_SEEN = ("No user has a lastSeenDate yet: active users stay at 0 until PX reports "
                "visits; run Company Person Sync again later.")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "adoption", help="adoption figures per company from the synced PX users",
        description="Users, active users in the last 1/7/30 days (UTC days ending on --as-of), "
                    "stickiness, visits, sign-ups per week, the companies table with trends "
                    "and the companies at risk.")
    parser.add_argument("--company", metavar="NAME", help="one company, by name or GSID")
    parser.add_argument("--instance", metavar="PX_ACCOUNT_ID",
                        help="one PX account (Multi Instance): its users only")
    parser.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD",
                        help="the day the 'last N days' end on (default: today, UTC)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print everything as JSON")
    output.add_argument("--csv", type=Path, metavar="FILE", help="write the companies table "
                        "as CSV to FILE ('-' for stdout)")
    parser.add_argument("--bom", action="store_true", help="UTF-8 BOM for Excel")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    """The core's figures; the CSV goes through the logs' Excel-safe writer."""
    company: tuple[str, str] | None = None
    if args.company is not None:
        found = adoption.company_gsids_named(ctx.db, args.company) or [
            (g, n) for g, n in ctx.db.execute_sql(
                'SELECT gsid, name FROM "company" WHERE gsid = ?', (args.company,))]
        if not found:
            return print_error(f"no company named {args.company!r}")
        if len(found) > 1:
            return print_error(f"{len(found)} companies are named {args.company!r}: give "
                               "its GSID instead (" + ", ".join(g for g, _ in found) + ")")
        company = found[0]
    gsid = None if company is None else company[0]
    view = adoption.overview(ctx.db, args.as_of, gsid, args.instance)
    rows = [r for r in adoption.companies(ctx.db, view.as_of)
            if gsid is None or r.company_gsid == gsid]
    if args.csv is not None:
        print_rows(COMPANY_HEADER, (_company_cells(r) for r in rows), args.csv, args.bom)
    elif args.json:
        print_json(_json(view, company, rows, adoption.at_risk(rows)))
    else:
        _print(view, rows, adoption.at_risk(rows))
    return EXIT_OK


def _company_cells(row: CompanyRow) -> list[Any]:
    f = row.figures
    return [row.name, row.company_gsid, f.users, f.active_1, f.active_7, f.active_30,
            _ratio(f.stickiness), f.visits, f.never_seen, row.previous_active_30, row.trend,
            "snapshot" if row.trend_from_snapshot else "estimate"]


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _figures(f: Figures) -> dict[str, Any]:
    return {"users": f.users, "active_1": f.active_1, "active_7": f.active_7,
            "active_30": f.active_30, "stickiness": f.stickiness, "visits": f.visits,
            "never_seen": f.never_seen, "never_seen_share": f.never_seen_share,
            "without_company": f.without_company}


def _company_json(row: CompanyRow) -> dict[str, Any]:
    return {"gsid": row.company_gsid, "name": row.name, **_figures(row.figures),
            "previous_active_30": row.previous_active_30, "trend": row.trend,
            "trend_from_snapshot": row.trend_from_snapshot}


def _json(view: Overview, company: tuple[str, str] | None, rows: list[CompanyRow],
          risky: list[CompanyRow]) -> dict[str, Any]:
    return {
        "as_of": view.as_of.isoformat(),
        "company": None if company is None else {"gsid": company[0], "name": company[1]},
        "figures": _figures(view.figures),
        "sign_ups_per_week": [{"week_start": w.week_start.isoformat(), "sign_ups": w.sign_ups}
                              for w in view.sign_ups],
        "companies": [_company_json(r) for r in rows],
        "at_risk": [_company_json(r) for r in risky],
    }


def _print(view: Overview, rows: list[CompanyRow], risky: list[CompanyRow]) -> None:
    f = view.figures
    if f.users == 0:
        print(NO_DATA)
        return
    share = f.never_seen_share
    print_table(("Figure", f"As of {view.as_of.isoformat()} (UTC)"), [
        ("Users", f.users), ("Active users, last day", f.active_1),
        ("Active users, last 7 days", f.active_7), ("Active users, last 30 days", f.active_30),
        ("Stickiness (DAU/MAU)", _ratio(f.stickiness)), ("Visits", f.visits),
        ("Never seen", f"{f.never_seen} ({share:.1%})" if share is not None else f.never_seen),
        ("Users without a company", f.without_company),
    ])
    if f.never_seen == f.users:
        print(NO_LAST_SEEN)
    print()
    print_table(("Week from", "Sign-ups"), [(w.week_start.isoformat(), w.sign_ups)
                                            for w in view.sign_ups])
    if rows:
        print()
        print_table(COMPANY_HEADER, [_company_cells(r) for r in rows])
    if risky:
        print("\nAt risk (fell most in 30-day active users, or none active):")
        print_table(COMPANY_HEADER, [_company_cells(r) for r in risky])
