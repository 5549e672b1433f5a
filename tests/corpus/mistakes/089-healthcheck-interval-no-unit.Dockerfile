# mistake: HEALTHCHECK --interval=10 without a unit; the engine refuses the Dockerfile (time: missing unit in duration)
# source: https://github.com/rcjsuen/dockerfile-language-server/issues/86
# lesson: lesson15
# expect: healthcheck-in-image
FROM python:3.13-slim AS build
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y gcc
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM python:3.13-slim
RUN useradd --system --no-create-home --shell /usr/sbin/nologin together
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /usr/src/app
COPY . .
USER together
EXPOSE 4000
HEALTHCHECK --interval=10 --timeout=5s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:4000/statz', timeout=2)"]
CMD ["./bin/run_dev.sh"]
