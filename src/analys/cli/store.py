"""``analys store check``: whether every file of the local store can be read.

Exit 0 when the store is whole (or empty), 1 when a file is damaged
(:func:`analys.store.health.check_cli` prints which and the remedy).
"""

from __future__ import annotations

import argparse

from analys.store import Store
from analys.store.health import check_cli


def add_parser(commands: argparse._SubParsersAction, parser_class: type) -> None:
    """The ``store`` sub-commands."""
    store = commands.add_parser("store", help="det lokala datalagret")
    store_commands = store.add_subparsers(
        dest="store_command", metavar="check", parser_class=parser_class
    )
    store_commands.required = True
    store_commands.add_parser("check", help="kontrollera att varje fil i datalagret går att läsa")


def handle(args: argparse.Namespace) -> int:
    """The handler of ``analys store check``."""
    return check_cli(Store())
