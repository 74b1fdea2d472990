"""FAQ search: normalisation, stemming and the in-memory index."""

from bot.services.faq.search.index import (
    DEFAULT_CONFIG,
    FaqIndex,
    Hit,
    SearchConfig,
    SearchResult,
)

__all__ = ["DEFAULT_CONFIG", "FaqIndex", "Hit", "SearchConfig", "SearchResult"]
