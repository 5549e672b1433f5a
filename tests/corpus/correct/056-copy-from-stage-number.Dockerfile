# correct: an unnamed build stage, copied from by its number (COPY --from=0)
# source: https://docs.docker.com/build/building/multi-stage/
# lesson: lesson13
FROM python:3.13-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt

FROM python:3.13-slim
COPY --from=0 /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /usr/src/app
COPY . .
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
