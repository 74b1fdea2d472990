# Kenes in a container: docker build -t kenes .   (README, "Deploy"; compose.yaml runs it)
#
# The install step is the README's install command, word for word (a test checks it), so the
# command CI runs is the one that builds this image. Docker cannot build on our machines.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY db ./db
COPY locales ./locales
RUN python3 -m venv .venv && .venv/bin/pip install -q -e .
# The image's code is read-only to the bot: the catalogues are compiled here, not at start-up.
RUN .venv/bin/python -c 'from bot.i18n import compile_catalogues; compile_catalogues()'

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/app/.venv/bin:$PATH LOG_FORMAT=json
RUN groupadd --system kenes && useradd --system --gid kenes --home-dir /app kenes
WORKDIR /app
# Same path as in the build stage: the editable install and the venv point at /app.
COPY --from=build /app /app
# SQLite's default place (DATABASE_URL=sqlite+aiosqlite:///data/bot.db); mount a volume here.
RUN mkdir -p /app/data && chown kenes:kenes /app/data
USER kenes
VOLUME ["/app/data"]
CMD ["python", "-m", "bot"]
