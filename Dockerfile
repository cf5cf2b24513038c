# syntax=docker/dockerfile:1
#
# ChatApp: one image for every role.
#   target "runtime" (default, last stage): the server. CHAT_ROLE=all|api|socket picks
#     what a container serves; it also serves the built web client at / (WEBCLIENT_DIR).
#   target "loadtest": the same package plus the [load] extras (locust, chat-bench) and
#     the loadtests/ sources, for the compose "loadtest" profile.
# Nothing secret is built in: SECRET_KEY, DATABASE_URL and friends come from the
# environment at run time, and CHAT_ENV=production refuses to start without SECRET_KEY.

# ---- web client: Node 20 builds webclient/dist --------------------------------------
FROM node:20-bookworm-slim AS webclient
WORKDIR /src/webclient
COPY webclient/package.json webclient/package-lock.json ./
RUN npm ci --no-audit --no-fund
# webclient/.env.production, when CI generated one, rides in with the sources: Vite
# bakes its VITE_* values into the bundle (they are public by nature, never secrets).
COPY webclient/ ./
RUN npm run build

# ---- builder: wheels for the project and its pinned dependencies --------------------
FROM python:3.11-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# Dependencies first, from pyproject.toml alone, so a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; project = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(project['dependencies']))" > requirements.txt \
 && pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt
COPY README.md ./
COPY chat/ chat/
COPY loadtests/ loadtests/
COPY migrations/ migrations/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links=/wheels /wheels/chatapp-*.whl

# ---- loadtest: the runtime package plus locust and chat-bench -----------------------
FROM builder AS loadtest-builder
RUN python -c "import tomllib; project = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(project['optional-dependencies']['load']))" > requirements-load.txt \
 && /opt/venv/bin/pip install --no-cache-dir -r requirements-load.txt

FROM python:3.11-slim-bookworm AS loadtest
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 chat \
 && useradd --system --uid 10001 --gid chat --home-dir /app --shell /usr/sbin/nologin chat \
 && install -d -o chat -g chat /app /results
WORKDIR /app
COPY --from=loadtest-builder /opt/venv /opt/venv
COPY --chown=chat:chat loadtests/ loadtests/
USER 10001:10001
CMD ["locust", "-f", "loadtests/locustfile.py", "--help"]

# ---- runtime: slim, non-root, no compilers, no secrets -------------------------------
FROM python:3.11-slim-bookworm AS runtime
ARG VERSION=0.0.0+local
ARG REVISION=unknown
LABEL org.opencontainers.image.title="chatapp" \
      org.opencontainers.image.description="ChatApp: python-socketio realtime core, Flask-RESTX API and the React web client" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHAT_ENV=production \
    CHAT_ROLE=all \
    WEBCLIENT_DIR=/app/webclient
RUN groupadd --system --gid 10001 chat \
 && useradd --system --uid 10001 --gid chat --home-dir /app --shell /usr/sbin/nologin chat \
 && install -d -o chat -g chat /app /app/var
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --from=webclient /src/webclient/dist /app/webclient
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=2)"]
CMD ["chat", "serve", "--host", "0.0.0.0", "--port", "8000"]
