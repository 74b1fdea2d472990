"""``faq`` subcommands of the bot's CLI: ``faq search --lang {kk,ru} [--json] [--kb PATH] QUERY``.

Uses the same :class:`FaqIndex` as the bot, so what the CLI finds is what users get.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Final, TextIO

from bot.services.faq.loader import KnowledgeBaseError, load_knowledge_base
from bot.services.faq.models import LANGUAGES
from bot.services.faq.search import FaqIndex, SearchResult

DEFAULT_KB_PATH: Final = Path(__file__).resolve().parents[3] / "locales" / "faq"
RESULT_LIMIT: Final = 5


def add_faq_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``faq search``; the parsed namespace's ``func(args) -> int`` runs it."""
    faq = subparsers.add_parser("faq", help="FAQ knowledge base tools")
    commands = faq.add_subparsers(dest="faq_command", required=True)
    search = commands.add_parser(
        "search",
        help="search the FAQ like the bot does",
        description="Search the FAQ knowledge base. QUERY '-' reads one query per line from stdin.",
    )
    search.add_argument("--lang", choices=LANGUAGES, required=True, help="the user's language")
    search.add_argument("--json", action="store_true", help="print one JSON object per query")
    search.add_argument(
        "--kb", type=Path, default=DEFAULT_KB_PATH, help=f"knowledge base dir ({DEFAULT_KB_PATH})"
    )
    search.add_argument("query", metavar="QUERY", help="the question, or '-' for stdin")
    search.set_defaults(func=run_search)


def result_to_json(query: str, lang: str, result: SearchResult) -> dict[str, Any]:
    return {
        "query": query,
        "lang": lang,
        "confident": result.confident,
        "results": [{"id": h.entry_id, "score": round(h.score, 3)} for h in result.results],
    }


def _format_text(query: str, result: SearchResult) -> str:
    if not result.results:
        return f"{query!r}: no match"
    verdict = "confident" if result.confident else "not confident"
    hits = ", ".join(f"{h.entry_id} ({h.score:.3f})" for h in result.results)
    return f"{query!r}: {verdict}: {hits}"


def run_search(
    args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    try:
        kb = load_knowledge_base(args.kb)
    except KnowledgeBaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    index = FaqIndex.build(kb.entries)
    queries = [line.rstrip("\r\n") for line in stdin] if args.query == "-" else [args.query]
    for query in queries:
        result = index.search(query, args.lang, limit=RESULT_LIMIT)
        if args.json:
            line = json.dumps(result_to_json(query, args.lang, result), ensure_ascii=False)
        else:
            line = _format_text(query, result)
        print(line, file=stdout)
    return 0
