# Tradewind as one image for every process of the Procfile: `tradewind serve` (web, the default),
# `tradewind scheduler` (clock) and `tradewind migrate` (release). See README, "Deploying".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 \
    MPLCONFIGDIR=/tmp/matplotlib

# A CJK font, so that charts in Chinese are drawn with real glyphs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY pyproject.toml README.md requirements.txt ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY templates ./templates
# The README's install command: the pinned dependencies, then (its last line) the app itself.
RUN pip install -r requirements.txt

RUN useradd --create-home --uid 10001 tradewind && mkdir /data && chown tradewind /data
USER tradewind
WORKDIR /data
# SQLite in /data unless DATABASE_URL names a PostgreSQL database (compose.yaml does).
ENV DATABASE_URL=sqlite:////data/tradewind.db
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"

CMD ["tradewind", "serve"]
