# correct: only requirements.txt is copied first, to /tmp, for the install; the whole app follows into the WORKDIR
# source: https://newbe.dev/index.php/docker-how-to-run-pip-requirements-txt-only-if-there-was-a-change
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/
RUN pip install --no-cache-dir -r /tmp/requirements.txt
COPY . .
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
