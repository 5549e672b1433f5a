# mistake: gcc with --no-install-recommends and no libc6-dev: no C headers, uWSGI does not compile
# source: https://github.com/bitnami/bitnami-docker-python/issues/15
# lesson: lesson5
# expect: gcc-compiles
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc
RUN pip install --no-cache-dir -r requirements.txt
