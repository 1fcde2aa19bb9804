"""``python -m analysis users …``: accounts from the command line.

The first admin comes from here (``users add EMAIL --role admin`` prints a one-time link
to set a password); so do links for anyone locked out when no admin can sign in. The
command line acts as the machine's keeper (`analysis.store.access.command_line`).
"""

from __future__ import annotations

import argparse

from analysis.store.schema import ACCOUNT_ROLES, EDITOR


def add_users_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``users`` and its subcommands on the CLI's subparsers."""
    from analysis.store.cli import add_database_option

    common = argparse.ArgumentParser(add_help=False)
    add_database_option(common)
    users = commands.add_parser(
        "users",
        help="accounts: add (with a one-time link), reset, list, role, delete",
        description="Accounts of people who sign in to the dashboard (docs/accounts.md).",
    )
    sub = users.add_subparsers(dest="users_command", required=True, metavar="USERS_COMMAND")

    add = sub.add_parser(
        "add",
        parents=[common],
        help="make an account and print a one-time link to set its password",
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", choices=ACCOUNT_ROLES, default=EDITOR)
    add.add_argument("--name", default="", help="the person's name, shown to admins")
    _add_url_option(add)
    add.set_defaults(handler=_add)

    reset = sub.add_parser(
        "reset", parents=[common], help="print a one-time link to set a new password"
    )
    reset.add_argument("email", metavar="EMAIL")
    _add_url_option(reset)
    reset.set_defaults(handler=_reset)

    listing = sub.add_parser("list", parents=[common], help="every account: email, role")
    listing.set_defaults(handler=_list)

    role = sub.add_parser("role", parents=[common], help="change an account's role")
    role.add_argument("email", metavar="EMAIL")
    role.add_argument("role", choices=ACCOUNT_ROLES, metavar="ROLE")
    role.set_defaults(handler=_role)

    delete = sub.add_parser(
        "delete",
        parents=[common],
        help="delete an account and its personal data (its versions stay, by a former user)",
    )
    delete.add_argument("email", metavar="EMAIL")
    delete.set_defaults(handler=_delete)


def _add_url_option(parser: argparse.ArgumentParser) -> None:
    from analysis.settings import PUBLIC_URL_ENV, public_url

    parser.add_argument(
        "--url",
        default=None,
        help=f"the dashboard's address the link starts with (default ${PUBLIC_URL_ENV}, else "
        f"{public_url()})",
    )


def _add(args: argparse.Namespace) -> int:
    from analysis.settings import public_url
    from analysis.store.accounts import invite
    from analysis.store.cli import KEEPER, _engine

    with _engine(args) as engine:
        link = invite(
            engine,
            KEEPER,
            args.email,
            base_url=args.url or public_url(),
            role=args.role,
            name=args.name,
        )
    print(f"{link.account.email} ({link.account.role}): open this link to set a password.")
    print(f"It works once, until {link.expires_at:%d %B %Y %H:%M} UTC:")
    print(link.url)
    return 0


def _reset(args: argparse.Namespace) -> int:
    from analysis.settings import public_url
    from analysis.store.accounts import reset_link
    from analysis.store.cli import KEEPER, _engine

    with _engine(args) as engine:
        link = reset_link(engine, KEEPER, args.email, base_url=args.url or public_url())
    print(f"{link.account.email}: open this link to set a new password.")
    print(f"It works once, until {link.expires_at:%d %B %Y %H:%M} UTC:")
    print(link.url)
    return 0


def _list(args: argparse.Namespace) -> int:
    from analysis.store.accounts import list_accounts
    from analysis.store.cli import KEEPER, _engine

    with _engine(args) as engine:
        found = list_accounts(engine, KEEPER)
    for account in found:
        how = (
            "identity provider"
            if account.signs_in_with_provider
            else ("password" if account.has_password else "invited, no password yet")
        )
        print(f"{account.email}\t{account.role}\t{how}")
    if not found:
        print(
            "no accounts yet: add the first admin with 'python -m analysis users add EMAIL "
            "--role admin'"
        )
    return 0


def _role(args: argparse.Namespace) -> int:
    from analysis.store.accounts import account_by_email, set_role
    from analysis.store.cli import KEEPER, _engine

    with _engine(args) as engine:
        account = account_by_email(engine, KEEPER, args.email)
        set_role(engine, KEEPER, account.id, args.role)
    print(f"{account.email} is now {args.role}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from analysis.store.accounts import account_by_email, delete_account
    from analysis.store.cli import KEEPER, _engine

    with _engine(args) as engine:
        account = account_by_email(engine, KEEPER, args.email)
        delete_account(engine, KEEPER, account.id)
    print(f"deleted the account of {account.email}; its versions now read 'a former user'")
    return 0
