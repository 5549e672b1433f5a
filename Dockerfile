# The tutorial site as an image, as Docker's own getting-started tutorial ships:
#
#     docker build -t docker-lessons .
#     docker run -p 8000:80 docker-lessons        # then open http://localhost:8000/
#
# It is also a worked example of what the lessons teach, in two stages: the first stage has the
# tools that build the site, the second only what serves it, so the image you run stays small.

# ---- Stage 1: build the static site ------------------------------------------------------------
# Lesson 1: an official image, a tag with a supported Python version, the slim Debian variant.
# `AS builder` names the stage so the second stage can copy from it.
FROM python:3.13-slim AS builder

# Lesson 2: an absolute working directory; the COPY and RUN lines below are relative to it.
WORKDIR /src

# Lesson 5: install the tools first, from a pinned list, without pip's cache. This layer changes
# only when docs/requirements.txt does, so editing a page does not reinstall MkDocs.
COPY docs/requirements.txt docs/requirements.txt
RUN pip install --no-cache-dir -r docs/requirements.txt

# Lesson 3: then the sources. .dockerignore keeps the build context to what the site needs:
# the pages, the lesson data and solutions they show, the mistakes from the tests, and the
# `checks` package whose help text the reference page prints.
COPY mkdocs.yml ./
# this very file: the last page (docs/next.md) shows it as the worked example
COPY Dockerfile ./
COPY checks/ checks/
COPY lessons/ lessons/
COPY tests/lessons/ tests/lessons/
COPY docs/ docs/

# --strict: a broken link, anchor or included file fails the build instead of shipping a hole.
ENV NO_MKDOCS_2_WARNING=1
RUN mkdocs build --strict --site-dir /site

# ---- Stage 2: serve it ---------------------------------------------------------------------------
# The same base image, so it is already on the machine; no MkDocs, no pages' sources, only HTML.
# (Python's http.server is plenty for a classroom; put a real web server in front for the internet.)
FROM python:3.13-slim

# Run as an ordinary user, not root: if the server were broken into, the intruder would not be root
# in the container. Docker (20.10 and later) lets unprivileged users bind low ports such as 80
# inside a container's own network namespace.
RUN groupadd --system --gid 10001 site \
    && useradd --system --uid 10001 --gid site --no-create-home --shell /usr/sbin/nologin site

COPY --from=builder /site /srv/site

# Numeric, so that anything reading the image (Kubernetes' runAsNonRoot, for one) can tell it is not root.
USER 10001:10001

# Lesson 6: EXPOSE documents the port; `docker run -p 8000:80` publishes it.
EXPOSE 80

# `docker ps` shows (healthy) once the server answers, (unhealthy) if it stops answering, and
# Compose (`depends_on: condition: service_healthy`) or Swarm can act on it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:80/', timeout=4)"]

# Lesson 7: exec form, so the server is PID 1 and stops at once on `docker stop`.
CMD ["python3", "-m", "http.server", "80", "--bind", "0.0.0.0", "--directory", "/srv/site"]
