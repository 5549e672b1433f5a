# correct: USER nobody, which Debian has and which owns none of the app's files
# lesson: lesson14
FROM python:3.13-slim AS build
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# the final stage: the virtualenv and the app, no compiler, run by a user that is not root
FROM python:3.13-slim
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /usr/src/app
COPY . .
USER nobody
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
