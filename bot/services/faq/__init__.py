"""FAQ knowledge base: models, loading, rendering and search."""

from bot.services.faq.loader import (
    KnowledgeBaseError,
    entry_from_dict,
    entry_to_dict,
    load_knowledge_base,
)
from bot.services.faq.models import LANGUAGES, FaqCategory, FaqEntry, KnowledgeBase, Lang, Source
from bot.services.faq.render import render_answer, rendered_length
from bot.services.faq.search import FaqIndex, Hit, SearchResult

__all__ = [
    "LANGUAGES",
    "FaqCategory",
    "FaqEntry",
    "FaqIndex",
    "Hit",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Lang",
    "SearchResult",
    "Source",
    "entry_from_dict",
    "entry_to_dict",
    "load_knowledge_base",
    "render_answer",
    "rendered_length",
]
