# mistake: apt-get update in a RUN of its own: a cached update goes stale
# source: https://github.com/mozilla/mozillians/pull/1425
# lesson: lesson4
# expect: apt-update-same-run
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update
RUN apt-get install -y gcc
